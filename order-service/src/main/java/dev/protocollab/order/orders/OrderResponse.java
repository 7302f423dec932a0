package dev.protocollab.order.orders;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** An order on the REST wire. Money is a decimal string, never a JSON number. */
record OrderResponse(
        UUID id,
        String customerId,
        OrderStatus status,
        long version,
        List<Item> items,
        String total,
        String currency,
        Instant createdAt,
        Instant updatedAt) {

    record Item(String sku, int quantity, String unitPrice) {}

    static OrderResponse of(Order order) {
        return new OrderResponse(
                order.id(),
                order.customerId(),
                order.status(),
                order.version(),
                order.items().stream()
                        .map(i -> new Item(i.sku(), i.quantity(), i.unitPrice().toPlainString()))
                        .toList(),
                order.total().toPlainString(),
                order.currency(),
                order.createdAt(),
                order.updatedAt());
    }
}
