package dev.protocollab.notification;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The events the tests publish are ones order-service could publish: the contract's schema says so. */
class OrderEventContractTest {

    @Test
    void theTestEventsFollowTheContractSchema() throws IOException {
        Schema schema = schema();
        UUID order = UUID.randomUUID();

        List<Error> created = schema.validate(
                OrderEvents.created(UUID.randomUUID(), "alice", order).toString(), InputFormat.JSON);
        List<Error> changed = schema.validate(
                OrderEvents.statusChanged(UUID.randomUUID(), "alice", order, "CONFIRMED", "PENDING", 2)
                        .toString(),
                InputFormat.JSON);

        assertThat(created).isEmpty();
        assertThat(changed).isEmpty();
    }

    private static Schema schema() throws IOException {
        try (InputStream in = OrderEventContractTest.class.getResourceAsStream("/events/order-event.schema.json")) {
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                    .getSchema(new String(in.readAllBytes(), StandardCharsets.UTF_8), InputFormat.JSON);
        }
    }
}
