package dev.protocollab.notification.inbox;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One stored notification: what happened to one of the user's orders, under the user's next sequence
 * number. {@code enriched} says order-service's {@code GetOrder} answered and {@code items} came from it;
 * when it did not, the notification was stored from the event alone ({@code items} then null, except for
 * an {@code order.created} event, which carries them).
 */
public record Notification(
        String userId,
        long seq,
        UUID eventId,
        String type,
        UUID orderId,
        String status,
        String previousStatus,
        long orderVersion,
        String total,
        String currency,
        List<Item> items,
        boolean enriched,
        Instant occurredAt) {

    public record Item(String sku, int quantity, String unitPrice) {}
}
