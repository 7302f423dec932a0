package dev.protocollab.notification.inbox;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A notification not yet stored, so without its sequence number. {@code enriched} says order-service
 * answered; {@code items} may still be known without it (an {@code order.created} event carries them).
 */
public record NewNotification(
        String userId,
        UUID eventId,
        String type,
        UUID orderId,
        String status,
        String previousStatus,
        long orderVersion,
        String total,
        String currency,
        List<Notification.Item> items,
        boolean enriched,
        Instant occurredAt) {

    Notification withSeq(long seq) {
        return new Notification(
                userId,
                seq,
                eventId,
                type,
                orderId,
                status,
                previousStatus,
                orderVersion,
                total,
                currency,
                items,
                enriched,
                occurredAt);
    }
}
