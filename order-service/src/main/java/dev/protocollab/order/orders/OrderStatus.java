package dev.protocollab.order.orders;

import java.util.Optional;

/** The life of an order: {@code PENDING → CONFIRMED → SHIPPED → DELIVERED}, or {@code CANCELLED}. */
public enum OrderStatus {
    PENDING,
    CONFIRMED,
    SHIPPED,
    DELIVERED,
    CANCELLED;

    /** The status fulfilment moves this one to, if any. */
    public Optional<OrderStatus> next() {
        return switch (this) {
            case PENDING -> Optional.of(CONFIRMED);
            case CONFIRMED -> Optional.of(SHIPPED);
            case SHIPPED -> Optional.of(DELIVERED);
            case DELIVERED, CANCELLED -> Optional.empty();
        };
    }

    public boolean isFinal() {
        return this == DELIVERED || this == CANCELLED;
    }

    /** Once shipped, an order can no longer be cancelled. */
    public boolean isCancellable() {
        return this == PENDING || this == CONFIRMED;
    }
}
