package dev.protocollab.notification.consumer;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.protocollab.notification.security.User;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The fields of order-service's CloudEvent (contracts/.../order-event.schema.json) that this service
 * reads, and nothing else: a tolerant reader, so order-service may add fields without breaking us.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record OrderEvent(String specversion, UUID id, String type, Instant time, Data data) {

    static final String CREATED = "order.created";
    static final String STATUS_CHANGED = "order.status-changed";

    private static final Pattern MONEY = Pattern.compile("(0|[1-9][0-9]{0,14})(\\.[0-9]{1,2})?");
    private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");
    private static final Pattern STATUS = Pattern.compile("[A-Z_]{1,16}");

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Data(
            UUID orderId,
            String customerId,
            String status,
            String previousStatus,
            long version,
            String total,
            String currency,
            Instant occurredAt,
            List<Item> items) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Item(String sku, int quantity, String unitPrice) {}

    boolean isKnownType() {
        return CREATED.equals(type) || STATUS_CHANGED.equals(type);
    }

    /** What makes an event unusable, or null when it is fine. Such an event can never succeed: poison. */
    String problem() {
        if (!"1.0".equals(specversion)) {
            return "specversion must be 1.0";
        }
        if (id == null || type == null) {
            return "id and type are required";
        }
        if (data == null) {
            return "data is required";
        }
        if (data.orderId() == null || data.occurredAt() == null || data.version() < 1) {
            return "data.orderId, data.occurredAt and data.version are required";
        }
        if (!User.isValid(data.customerId())) {
            return "data.customerId is missing or not a valid user id";
        }
        if (data.status() == null || !STATUS.matcher(data.status()).matches()) {
            return "data.status is missing or malformed";
        }
        if (data.previousStatus() != null
                && !STATUS.matcher(data.previousStatus()).matches()) {
            return "data.previousStatus is malformed";
        }
        if (data.total() == null
                || !MONEY.matcher(data.total()).matches()
                || data.currency() == null
                || !CURRENCY.matcher(data.currency()).matches()) {
            return "data.total and data.currency must be a decimal string and an ISO 4217 code";
        }
        return null;
    }
}
