package dev.protocollab.stream.events;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.time.Instant;
import java.util.List;

/**
 * The fields of order-service's CloudEvent ({@code contracts/.../events/order-event.schema.json}) that
 * stream-service reads; our own record, not a shared class, so order-service may add fields freely.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record OrderEvent(String specversion, String id, String type, String subject, Instant time, Data data) {

    static final String CREATED = "order.created";
    static final String STATUS_CHANGED = "order.status-changed";

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Data(
            String orderId,
            String status,
            String previousStatus,
            long version,
            String total,
            String currency,
            Instant occurredAt,
            List<Object> items) {}
}
