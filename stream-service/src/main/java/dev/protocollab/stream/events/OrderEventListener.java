package dev.protocollab.stream.events;

import dev.protocollab.stream.StreamProperties;
import dev.protocollab.stream.broadcast.Broadcaster;
import dev.protocollab.stream.broadcast.Topic;
import dev.protocollab.stream.metrics.MetricsAggregator;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns each order CloudEvent into an {@code orders} topic event and feeds the one-second aggregate.
 *
 * <p>One listener thread (the container's, never a Netty event loop) consumes in the order the broker
 * delivers, which for one order is the order order-service published in. Delivery is at least once, so
 * recently seen event ids are remembered and a redelivery is dropped: subscribers and the metrics count
 * each event once. A message that is not a readable order event is logged, counted ({@code
 * stream.events.rejected}) and acknowledged: an ephemeral broadcast has no use for a dead letter, and a
 * requeue would only bring it back.
 */
@Component
class OrderEventListener {

    private static final Logger log = LoggerFactory.getLogger(OrderEventListener.class);

    private final JsonMapper json;
    private final Broadcaster broadcaster;
    private final MetricsAggregator metrics;
    private final RecentIds seen;
    private final Counter created;
    private final Counter statusChanged;
    private final Counter duplicates;
    private final Counter rejected;

    OrderEventListener(
            JsonMapper json,
            Broadcaster broadcaster,
            MetricsAggregator metrics,
            StreamProperties properties,
            MeterRegistry registry) {
        this.json = json;
        this.broadcaster = broadcaster;
        this.metrics = metrics;
        this.seen = new RecentIds(properties.events().deduplicationWindow());
        this.created = eventsIn(registry, OrderEvent.CREATED);
        this.statusChanged = eventsIn(registry, OrderEvent.STATUS_CHANGED);
        this.duplicates = Counter.builder("stream.events.duplicates")
                .description("Redelivered order events that were dropped")
                .register(registry);
        this.rejected = Counter.builder("stream.events.rejected")
                .description("Messages that were not readable order events")
                .register(registry);
    }

    @RabbitListener(queues = "#{streamQueue.name}", id = "order-events")
    void onMessage(Message message) {
        OrderUpdate update;
        try {
            update = read(message.getBody());
        } catch (JacksonException | IllegalArgumentException e) {
            rejected.increment();
            log.warn(
                    "Rejected message {} from {}: {}",
                    message.getMessageProperties().getMessageId(),
                    message.getMessageProperties().getReceivedRoutingKey(),
                    e.getMessage());
            return; // acknowledged and gone: requeueing would only bring it back
        }
        if (!seen.add(update.eventId())) {
            duplicates.increment();
            return;
        }
        (update.created() ? created : statusChanged).increment();
        broadcaster.publish(Topic.ORDERS, update.eventId(), update);
        metrics.record(update);
    }

    private OrderUpdate read(byte[] body) {
        OrderEvent event = json.readValue(body, OrderEvent.class);
        require(event.id() != null && !event.id().isBlank(), "no id");
        require(
                OrderEvent.CREATED.equals(event.type()) || OrderEvent.STATUS_CHANGED.equals(event.type()),
                "unknown type " + event.type());
        OrderEvent.Data data = event.data();
        require(data != null, "no data");
        require(data.orderId() != null && data.status() != null, "no order id or status");
        require(data.total() != null && data.currency() != null, "no total");
        new BigDecimal(data.total()); // a NumberFormatException is an IllegalArgumentException
        return new OrderUpdate(
                event.id(),
                event.type(),
                data.orderId(),
                data.status(),
                data.previousStatus(),
                data.version(),
                data.total(),
                data.currency(),
                data.occurredAt() != null ? data.occurredAt() : event.time(),
                data.items() == null ? null : data.items().size());
    }

    private static void require(boolean condition, String problem) {
        if (!condition) {
            throw new IllegalArgumentException(problem);
        }
    }

    private static Counter eventsIn(MeterRegistry registry, String type) {
        return Counter.builder("stream.events.in")
                .description("Order events received from RabbitMQ and broadcast")
                .tag("type", type)
                .register(registry);
    }

    /** The last {@code size} event ids, oldest forgotten first. */
    private static final class RecentIds {

        private final Map<String, Boolean> ids;

        RecentIds(int size) {
            this.ids = new LinkedHashMap<>(Math.min(size, 1024), 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > size;
                }
            };
        }

        synchronized boolean add(String id) {
            return ids.putIfAbsent(id, Boolean.TRUE) == null;
        }
    }
}
