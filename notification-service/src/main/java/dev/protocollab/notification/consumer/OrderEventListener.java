package dev.protocollab.notification.consumer;

import dev.protocollab.notification.enrichment.OrderDetails;
import dev.protocollab.notification.enrichment.OrderLookup;
import dev.protocollab.notification.inbox.Inbox;
import dev.protocollab.notification.inbox.NewNotification;
import dev.protocollab.notification.inbox.Notification;
import dev.protocollab.notification.live.LiveNotifications;
import dev.protocollab.notification.webhooks.WebhookDispatcher;
import dev.protocollab.notification.webhooks.Webhooks;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns each order event into a notification for the order's customer.
 *
 * <p>In order: read the CloudEvent (unreadable: poison, straight to the dead-letter queue); for an event
 * that needs order-service's details, skip it if it already is a notification for this user (a
 * redelivery) and ask order-service (best effort, see {@link OrderLookup}); store the notification and its
 * webhook deliveries in one transaction, together with whatever other consumers hold for the same user at
 * that moment ({@link UserBatches}); then tell every instance (fan-out) and the webhook dispatcher. The
 * message is acknowledged only after the store committed, so a crash in between redelivers it, and the
 * database's uniqueness turns the redelivery into a no-op.
 */
@Component
class OrderEventListener {

    static final String ID = "order-events";

    private static final Logger log = LoggerFactory.getLogger(OrderEventListener.class);

    private final JsonMapper json;
    private final Inbox inbox;
    private final Webhooks webhooks;
    private final OrderLookup orders;
    private final LiveNotifications live;
    private final WebhookDispatcher dispatcher;
    private final TransactionTemplate transactions;
    private final MeterRegistry meters;
    private final Timer enrichTime;
    private final Timer storeTime;
    private final Timer publishTime;
    private final Timer lag;
    private final UserBatches batches;

    OrderEventListener(
            JsonMapper json,
            Inbox inbox,
            Webhooks webhooks,
            OrderLookup orders,
            LiveNotifications live,
            WebhookDispatcher dispatcher,
            TransactionTemplate transactions,
            MeterRegistry meters) {
        this.json = json;
        this.inbox = inbox;
        this.webhooks = webhooks;
        this.orders = orders;
        this.live = live;
        this.dispatcher = dispatcher;
        this.transactions = transactions;
        this.meters = meters;
        this.enrichTime = stage(meters, "enrich");
        this.storeTime = stage(meters, "store");
        this.publishTime = stage(meters, "publish");
        this.lag = Timer.builder("notifications.lag")
                .description("From the order event's time (written by order-service) to its notification's fan-out")
                .publishPercentiles(0.5, 0.99)
                .register(meters);
        DistributionSummary batchSizes = DistributionSummary.builder("notifications.consumer.batch")
                .description("Notifications of one user stored in one transaction")
                .register(meters);
        this.batches = new UserBatches(this::storeAll, batchSizes::record);
    }

    /** Where a consumed event's time goes: the GetOrder lookup, the store (per-user lock held), the fan-out. */
    private static Timer stage(MeterRegistry meters, String stage) {
        return Timer.builder("notifications.consumer.stage")
                .tag("stage", stage)
                .description("Time per consumed order event in each stage")
                .register(meters);
    }

    @RabbitListener(
            id = ID,
            queues = "${notifications.consumer.queue:notification-service.order-events}",
            containerFactory = MessagingConfiguration.CONTAINER_FACTORY)
    void onEvent(Message message) {
        try {
            handle(read(message));
        } catch (PoisonMessageException e) {
            count("poison");
            throw e;
        } catch (RuntimeException e) {
            count("error");
            log.warn(
                    "Order event {} failed, will retry: {}",
                    message.getMessageProperties().getMessageId(),
                    e.toString());
            throw e;
        }
    }

    private OrderEvent read(Message message) {
        OrderEvent event;
        try {
            event = json.readValue(message.getBody(), OrderEvent.class);
        } catch (JacksonException e) {
            throw new PoisonMessageException("not an order event: " + e.getOriginalMessage(), e);
        }
        String problem = event == null ? "empty message" : event.problem();
        if (problem != null) {
            throw new PoisonMessageException("unusable order event: " + problem, null);
        }
        return event;
    }

    private void handle(OrderEvent event) {
        if (!event.isKnownType()) {
            outcome("ignored");
            return;
        }
        OrderEvent.Data data = event.data();
        // An event that carries its items (order.created: written with the order, in its transaction) has
        // nothing to look up; only the others ask order-service, so a busy order-service no longer holds up
        // the notification of every new order. Only those are checked for a redelivery first, to save the
        // lookup; the store skips a duplicate either way.
        List<Notification.Item> carried = itemsOf(data);
        if (carried == null && inbox.contains(event.id(), data.customerId())) {
            outcome("duplicate");
            return;
        }
        Optional<OrderDetails> details =
                carried != null ? Optional.empty() : enrichTime.record(() -> orders.find(data.orderId()));
        List<Notification.Item> items = details.map(OrderDetails::items).orElse(carried);
        NewNotification draft = new NewNotification(
                data.customerId(),
                event.id(),
                event.type(),
                data.orderId(),
                data.status(),
                data.previousStatus(),
                data.version(),
                data.total(),
                data.currency(),
                items,
                details.isPresent(),
                data.occurredAt());
        Optional<Notification> stored = storeTime.record(() -> batches.store(draft));
        if (stored.isEmpty()) {
            outcome("duplicate");
            return;
        }
        outcome(draft.enriched() ? "stored-enriched" : carried != null ? "stored-from-event" : "stored-not-enriched");
        publishTime.record(() -> live.publish(stored.get()));
        if (event.time() != null) {
            lag.record(Duration.between(event.time(), Instant.now()));
        }
    }

    /**
     * One user's notifications in one transaction: the notifications and their webhook deliveries commit
     * together; the dispatcher is woken only when deliveries were queued (its poll is the safety net).
     */
    private List<Optional<Notification>> storeAll(List<NewNotification> drafts) {
        Batch batch = transactions.execute(tx -> {
            List<Optional<Notification>> results = inbox.appendAll(drafts);
            List<Notification> fresh =
                    results.stream().flatMap(Optional::stream).toList();
            return new Batch(results, webhooks.enqueue(drafts.get(0).userId(), fresh));
        });
        if (batch.webhookDeliveries() > 0) {
            dispatcher.wakeUp();
        }
        return batch.results();
    }

    /** A batch as committed, with how many webhook deliveries were queued with it. */
    private record Batch(List<Optional<Notification>> results, int webhookDeliveries) {}

    private static List<Notification.Item> itemsOf(OrderEvent.Data data) {
        return data.items() == null
                ? null
                : data.items().stream()
                        .map(i -> new Notification.Item(i.sku(), i.quantity(), i.unitPrice()))
                        .toList();
    }

    private void outcome(String outcome) {
        meters.counter("notifications.consumed", "outcome", outcome).increment();
    }

    private void count(String reason) {
        meters.counter("notifications.consumer.failures", "reason", reason).increment();
    }
}
