package dev.protocollab.stream;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.UUID;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Order events exactly as order-service publishes them: built from the contract's own examples
 * ({@code contracts/src/main/resources/events/examples}), with fresh ids.
 */
public final class TestEvents {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private TestEvents() {}

    /** The contract's order.created example, unchanged. */
    public static String createdExample() {
        return example("order.created");
    }

    public static ObjectNode created(String total, String currency) {
        ObjectNode event = (ObjectNode) JSON.readTree(createdExample());
        UUID orderId = UUID.randomUUID();
        event.put("id", UUID.randomUUID().toString());
        event.put("subject", orderId.toString());
        event.put("time", Instant.now().toString());
        ObjectNode data = (ObjectNode) event.get("data");
        data.put("orderId", orderId.toString());
        data.put("total", total);
        data.put("currency", currency);
        data.put("occurredAt", Instant.now().toString());
        return event;
    }

    public static ObjectNode statusChanged(ObjectNode order, String previous, String status, int version) {
        ObjectNode event = (ObjectNode) JSON.readTree(example("order.status-changed"));
        ObjectNode created = (ObjectNode) order.get("data");
        event.put("id", UUID.randomUUID().toString());
        event.put("subject", created.get("orderId").asString());
        event.put("time", Instant.now().toString());
        ObjectNode data = (ObjectNode) event.get("data");
        data.put("orderId", created.get("orderId").asString());
        data.put("total", created.get("total").asString());
        data.put("currency", created.get("currency").asString());
        data.put("previousStatus", previous);
        data.put("status", status);
        data.put("version", version);
        data.put("occurredAt", Instant.now().toString());
        return event;
    }

    public static String json(ObjectNode event) {
        return JSON.writeValueAsString(event);
    }

    private static String example(String type) {
        try (InputStream in = TestEvents.class.getResourceAsStream("/events/examples/" + type + ".json")) {
            if (in == null) {
                throw new IllegalStateException("the contracts jar has no example for " + type);
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
