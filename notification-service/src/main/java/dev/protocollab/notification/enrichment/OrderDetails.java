package dev.protocollab.notification.enrichment;

import dev.protocollab.notification.inbox.Notification;
import java.util.List;

/** What order-service knows about an order that its status-change events do not carry. */
public record OrderDetails(List<Notification.Item> items) {

    public OrderDetails {
        items = List.copyOf(items);
    }
}
