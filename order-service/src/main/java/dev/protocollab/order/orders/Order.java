package dev.protocollab.order.orders;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** An order as the domain sees it. Never serialised as is: each edge (REST, gRPC, events) maps it. */
public record Order(
        UUID id,
        String customerId,
        OrderStatus status,
        long version,
        String currency,
        BigDecimal total,
        List<LineItem> items,
        Instant createdAt,
        Instant updatedAt) {

    /** The strong entity tag of this version, as sent in {@code ETag} and expected in {@code If-Match}. */
    public String etag() {
        return "\"" + version + "\"";
    }

    public boolean belongsTo(String customer) {
        return customerId.equals(customer);
    }
}
