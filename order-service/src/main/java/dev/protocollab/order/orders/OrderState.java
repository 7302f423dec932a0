package dev.protocollab.order.orders;

import java.time.Instant;
import java.util.UUID;

/** Where an order stands: what polling and watching clients are told. */
public record OrderState(UUID id, String customerId, OrderStatus status, long version, Instant updatedAt) {

    public String etag() {
        return "\"" + version + "\"";
    }
}
