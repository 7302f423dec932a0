package dev.protocollab.notification.inbox;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * A notification as every delivery channel sends it (the wire contract: {@code seq}, {@code type},
 * {@code orderId}, {@code status}, {@code occurredAt}; the rest are additions, {@code orderVersion} among
 * them: two events of one order may be stored in either order, and the version tells which is newer). Never carries the user
 * id or the event id: a client already knows who it is, and the event id is an internal concern.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NotificationView(
        long seq,
        String type,
        UUID orderId,
        String status,
        String previousStatus,
        long orderVersion,
        Instant occurredAt,
        String total,
        String currency,
        boolean enriched,
        List<Notification.Item> items,
        String message) {

    public static NotificationView of(Notification n) {
        return new NotificationView(
                n.seq(),
                n.type(),
                n.orderId(),
                n.status(),
                n.previousStatus(),
                n.orderVersion(),
                n.occurredAt(),
                n.total(),
                n.currency(),
                n.enriched(),
                n.items(),
                message(n));
    }

    /** A line a UI can show as is; with enrichment it names what was ordered. */
    private static String message(Notification n) {
        String what = switch (n.status()) {
            case "PENDING" -> "placed";
            case "CONFIRMED" -> "confirmed";
            case "SHIPPED" -> "shipped";
            case "DELIVERED" -> "delivered";
            case "CANCELLED" -> "cancelled";
            default -> n.status().toLowerCase(java.util.Locale.ROOT);
        };
        String order = "Order " + n.orderId().toString().substring(0, 8);
        if (n.items() == null || n.items().isEmpty()) {
            return order + " " + what + " (" + n.total() + " " + n.currency() + ")";
        }
        String items = n.items().stream()
                .map(item -> item.quantity() + " × " + item.sku())
                .collect(Collectors.joining(", "));
        return order + " " + what + ": " + items + " (" + n.total() + " " + n.currency() + ")";
    }
}
