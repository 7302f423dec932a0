package dev.protocollab.stream.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * An order event as the {@code orders} topic carries it: slimmed, and without the customer id, because
 * every subscriber of this broadcast sees every order. Money stays a decimal string on the wire.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OrderUpdate(
        String eventId,
        String type,
        String orderId,
        String status,
        String previousStatus,
        long version,
        String total,
        String currency,
        Instant occurredAt,
        Integer itemCount) {

    public boolean created() {
        return OrderEvent.CREATED.equals(type);
    }

    public BigDecimal totalAmount() {
        return new BigDecimal(total);
    }
}
