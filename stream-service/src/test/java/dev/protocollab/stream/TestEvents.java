package dev.protocollab.stream;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Order events exactly as order-service publishes them: built from the contract's own examples
 * ({@code contracts/src/main/resources/events/examples}), with fresh ids.
 */
public final class TestEvents {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Schema SCHEMA = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
            .getSchema(resource("/events/order-event.schema.json"), InputFormat.JSON);

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

    /** Fails unless the event is valid by the contract's {@code order-event.schema.json}. */
    public static String validJson(ObjectNode event) {
        String json = json(event);
        List<Error> errors = SCHEMA.validate(json, InputFormat.JSON);
        if (!errors.isEmpty()) {
            throw new AssertionError("not a schema-valid order event: " + errors + "\n" + json);
        }
        return json;
    }

    private static String example(String type) {
        return resource("/events/examples/" + type + ".json");
    }

    private static String resource(String path) {
        try (InputStream in = TestEvents.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("the contracts jar has no " + path);
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
