package dev.protocollab.stream.grpc;

import com.google.protobuf.Timestamp;
import dev.protocollab.contracts.stream.v1.Gap;
import dev.protocollab.contracts.stream.v1.MetricsSnapshot;
import dev.protocollab.contracts.stream.v1.OrderEvent;
import dev.protocollab.contracts.stream.v1.StreamMessage;
import dev.protocollab.contracts.stream.v1.Subscribed;
import dev.protocollab.contracts.stream.v1.Topic;
import dev.protocollab.stream.broadcast.StreamEvent;
import dev.protocollab.stream.events.OrderUpdate;
import dev.protocollab.stream.metrics.MetricsWindow;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;

/** Between the broadcast's records and {@code stream.v1} messages. */
final class GrpcMapping {

    private GrpcMapping() {}

    static Optional<dev.protocollab.stream.broadcast.Topic> topic(Topic topic) {
        return switch (topic) {
            case TOPIC_ORDERS -> Optional.of(dev.protocollab.stream.broadcast.Topic.ORDERS);
            case TOPIC_METRICS -> Optional.of(dev.protocollab.stream.broadcast.Topic.METRICS);
            case TOPIC_UNSPECIFIED, UNRECOGNIZED -> Optional.empty();
        };
    }

    static Topic topic(dev.protocollab.stream.broadcast.Topic topic) {
        return switch (topic) {
            case ORDERS -> Topic.TOPIC_ORDERS;
            case METRICS -> Topic.TOPIC_METRICS;
        };
    }

    static StreamMessage event(StreamEvent event) {
        StreamMessage.Builder message = StreamMessage.newBuilder()
                .setTopic(topic(event.topic()))
                .setSequence(event.sequence())
                .setId(event.id());
        switch (event.payload()) {
            case OrderUpdate order -> message.setOrder(order(order));
            case MetricsWindow metrics -> message.setMetrics(metrics(metrics));
            default -> throw new IllegalArgumentException("no mapping for " + event.payload());
        }
        return message.build();
    }

    static StreamMessage gap(dev.protocollab.stream.broadcast.Gap gap) {
        return StreamMessage.newBuilder()
                .setTopic(topic(gap.topic()))
                .setGap(Gap.newBuilder().setMissed(Math.max(gap.missed(), 0)).setReason(gap.reason()))
                .build();
    }

    static StreamMessage subscribed(Collection<dev.protocollab.stream.broadcast.Topic> topics) {
        Subscribed.Builder subscribed = Subscribed.newBuilder();
        topics.stream().sorted().forEach(topic -> subscribed.addTopics(topic(topic)));
        return StreamMessage.newBuilder().setSubscribed(subscribed).build();
    }

    private static OrderEvent order(OrderUpdate order) {
        OrderEvent.Builder event = OrderEvent.newBuilder()
                .setEventId(order.eventId())
                .setType(order.type())
                .setOrderId(order.orderId())
                .setStatus(order.status())
                .setVersion(order.version())
                .setTotal(order.total())
                .setCurrency(order.currency());
        if (order.previousStatus() != null) {
            event.setPreviousStatus(order.previousStatus());
        }
        if (order.occurredAt() != null) {
            event.setOccurredAt(timestamp(order.occurredAt()));
        }
        if (order.itemCount() != null) {
            event.setItemCount(order.itemCount());
        }
        return event.build();
    }

    private static MetricsSnapshot metrics(MetricsWindow window) {
        return MetricsSnapshot.newBuilder()
                .setWindowStart(timestamp(window.windowStart()))
                .setWindowEnd(timestamp(window.windowEnd()))
                .setOrders(window.orders())
                .setOrdersPerSecond(window.ordersPerSecond())
                .setEvents(window.events())
                .putAllRevenue(window.revenue())
                .putAllOrdersByStatus(window.ordersByStatus())
                .build();
    }

    private static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder()
                .setSeconds(instant.getEpochSecond())
                .setNanos(instant.getNano())
                .build();
    }
}
