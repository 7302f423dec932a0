package dev.protocollab.notification;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.boot.test.context.TestComponent;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Publishes order events to {@code orders.events} exactly as order-service's outbox relay does: CloudEvents
 * 1.0 structured JSON (checked against the contract's schema in {@code OrderEventContractTest}), routing
 * key = type, message id = event id, a {@code traceparent} header.
 */
@TestComponent
public class OrderEvents {

    public static final String EXCHANGE = "orders.events";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final RabbitTemplate rabbit;

    OrderEvents(RabbitTemplate rabbit) {
        this.rabbit = rabbit;
    }

    /** An {@code order.status-changed} event's JSON. */
    public static ObjectNode statusChanged(
            UUID eventId, String customer, UUID orderId, String status, String previous, long version) {
        ObjectNode event = envelope(eventId, "order.status-changed", orderId);
        ObjectNode data = data(event, customer, orderId, status, version);
        data.put("previousStatus", previous);
        return event;
    }

    /** An {@code order.created} event's JSON. */
    public static ObjectNode created(UUID eventId, String customer, UUID orderId) {
        ObjectNode event = envelope(eventId, "order.created", orderId);
        ObjectNode data = data(event, customer, orderId, "PENDING", 1);
        ObjectNode item = data.putArray("items").addObject();
        item.put("sku", "BOOK-42");
        item.put("quantity", 2);
        item.put("unitPrice", "12.50");
        return event;
    }

    /** Publishes a status change and returns its event id. */
    public UUID publishStatusChanged(String customer, UUID orderId, String status, String previous, long version) {
        UUID id = UUID.randomUUID();
        publish(statusChanged(id, customer, orderId, status, previous, version));
        return id;
    }

    public void publish(ObjectNode event) {
        publish(
                event.path("type").asString(),
                JSON.writeValueAsString(event).getBytes(StandardCharsets.UTF_8),
                event.path("id").asString());
    }

    /** Publishes any bytes, as a broken or hostile producer could. */
    public void publish(String routingKey, byte[] body, String messageId) {
        MessageProperties properties = new MessageProperties();
        properties.setContentType("application/cloudevents+json");
        properties.setMessageId(messageId);
        properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        properties.setHeader("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        rabbit.send(EXCHANGE, routingKey, new Message(body, properties));
    }

    private static ObjectNode envelope(UUID eventId, String type, UUID orderId) {
        ObjectNode event = JSON.createObjectNode();
        event.put("specversion", "1.0");
        event.put("id", eventId.toString());
        event.put("source", "/order-service");
        event.put("type", type);
        event.put("subject", orderId.toString());
        event.put("time", Instant.now().toString());
        event.put("datacontenttype", "application/json");
        event.put("dataschema", "https://protocol-lab.dev/schemas/order-event.schema.json");
        event.put("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        return event;
    }

    private static ObjectNode data(ObjectNode event, String customer, UUID orderId, String status, long version) {
        ObjectNode data = event.putObject("data");
        data.put("orderId", orderId.toString());
        data.put("customerId", customer);
        data.put("status", status);
        data.put("version", version);
        data.put("total", "25.00");
        data.put("currency", "EUR");
        data.put("occurredAt", Instant.now().toString());
        return data;
    }
}
