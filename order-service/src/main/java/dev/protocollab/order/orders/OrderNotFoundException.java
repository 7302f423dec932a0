package dev.protocollab.order.orders;

import java.util.UUID;

/**
 * Thrown for an order that does not exist and, alike, for another customer's order: telling the two
 * apart would confirm to a stranger that an id exists.
 */
public class OrderNotFoundException extends RuntimeException {

    private final UUID orderId;

    public OrderNotFoundException(UUID orderId) {
        super("No order " + orderId + " for this customer");
        this.orderId = orderId;
    }

    public UUID orderId() {
        return orderId;
    }
}
