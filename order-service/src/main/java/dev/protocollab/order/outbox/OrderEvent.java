package dev.protocollab.order.outbox;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * The order event in CloudEvents 1.0 structured JSON, exactly as documented by
 * {@code contracts/src/main/resources/events/order-event.schema.json}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record OrderEvent(
        String specversion,
        String id,
        String source,
        String type,
        String subject,
        Instant time,
        String datacontenttype,
        String dataschema,
        String traceparent,
        Data data) {

    static final String CREATED = "order.created";
    static final String STATUS_CHANGED = "order.status-changed";
    static final String SOURCE = "/order-service";
    static final String SCHEMA = "https://protocol-lab.dev/schemas/order-event.schema.json";

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Data(
            String orderId,
            String customerId,
            String status,
            String previousStatus,
            long version,
            String total,
            String currency,
            Instant occurredAt,
            List<Item> items) {}

    record Item(String sku, int quantity, String unitPrice) {}
}
