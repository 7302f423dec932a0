package dev.protocollab.order.outbox;

import dev.protocollab.order.orders.Order;
import dev.protocollab.order.orders.OrderStatus;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;
import java.time.Instant;
import java.util.UUID;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import tools.jackson.databind.json.JsonMapper;

/**
 * Appends order events to the outbox table in the caller's transaction. Publishing is the relay's job;
 * this only nudges it once the transaction has committed, so events are published within milliseconds
 * without the relay ever seeing an uncommitted row.
 */
@Component
public class OutboxWriter {

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final ObjectProvider<Tracer> tracer;
    private final OutboxRelay relay;

    OutboxWriter(JdbcClient jdbc, JsonMapper json, ObjectProvider<Tracer> tracer, OutboxRelay relay) {
        this.jdbc = jdbc;
        this.json = json;
        this.tracer = tracer;
        this.relay = relay;
    }

    public void orderCreated(Order order) {
        append(order, OrderEvent.CREATED, null);
    }

    public void orderStatusChanged(Order order, OrderStatus previous) {
        append(order, OrderEvent.STATUS_CHANGED, previous);
    }

    private void append(Order order, String type, OrderStatus previous) {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException("outbox rows must be written in the transaction of their change");
        }
        UUID eventId = UUID.randomUUID();
        String traceparent = currentTraceparent();
        OrderEvent event = new OrderEvent(
                "1.0",
                eventId.toString(),
                OrderEvent.SOURCE,
                type,
                order.id().toString(),
                Instant.now(),
                "application/json",
                OrderEvent.SCHEMA,
                traceparent,
                new OrderEvent.Data(
                        order.id().toString(),
                        order.customerId(),
                        order.status().name(),
                        previous == null ? null : previous.name(),
                        order.version(),
                        order.total().toPlainString(),
                        order.currency(),
                        order.updatedAt(),
                        previous == null
                                ? order.items().stream()
                                        .map(i -> new OrderEvent.Item(
                                                i.sku(),
                                                i.quantity(),
                                                i.unitPrice().toPlainString()))
                                        .toList()
                                : null));
        jdbc.sql("""
                        INSERT INTO outbox (event_id, order_id, event_type, payload, traceparent)
                        VALUES (:event, :order, :type, :payload, :traceparent)
                        """)
                .param("event", eventId)
                .param("order", order.id())
                .param("type", type)
                .param("payload", json.writeValueAsString(event))
                .param("traceparent", traceparent)
                .update();
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                relay.wakeUp();
            }
        });
    }

    /** The W3C trace context of the request making the change, carried through the broker to consumers. */
    private String currentTraceparent() {
        Tracer current = tracer.getIfAvailable();
        Span span = current == null ? null : current.currentSpan();
        if (span == null) {
            return null;
        }
        TraceContext context = span.context();
        return "00-" + context.traceId() + "-" + context.spanId() + "-"
                + (Boolean.TRUE.equals(context.sampled()) ? "01" : "00");
    }
}
