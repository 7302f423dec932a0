package dev.protocollab.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The documented examples are valid events, and the schema refuses what the contract forbids. */
class OrderEventSchemaTest {

    private final Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
            .getSchema(read("/events/order-event.schema.json"), InputFormat.JSON);

    @ParameterizedTest
    @ValueSource(strings = {"order.created", "order.status-changed"})
    void documentedExamplesAreValid(String type) {
        assertThat(schema.validate(read("/events/examples/" + type + ".json"), InputFormat.JSON))
                .isEmpty();
    }

    @Test
    void moneyAsAFloatIsRefused() {
        String event = read("/events/examples/order.status-changed.json").replace("\"25.00\"", "25.0");
        assertThat(schema.validate(event, InputFormat.JSON)).isNotEmpty();
    }

    @Test
    void anUnknownTypeIsRefused() {
        String event = read("/events/examples/order.created.json").replace("\"order.created\"", "\"order.deleted\"");
        assertThat(schema.validate(event, InputFormat.JSON)).isNotEmpty();
    }

    @Test
    void aCreatedEventMustCarryItsItems() {
        String event = read("/events/examples/order.status-changed.json")
                .replace("\"order.status-changed\"", "\"order.created\"");
        assertThat(schema.validate(event, InputFormat.JSON)).isNotEmpty();
    }

    private static String read(String resource) {
        try (InputStream in = OrderEventSchemaTest.class.getResourceAsStream(resource)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
