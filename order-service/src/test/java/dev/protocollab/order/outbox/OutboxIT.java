package dev.protocollab.order.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.protocollab.order.IntegrationTest;
import dev.protocollab.order.TestClients;
import dev.protocollab.testsupport.TcpProxy;
import dev.protocollab.testsupport.TestRabbit;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistrar;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@IntegrationTest
@Import(OutboxIT.BrokerBehindAProxy.class)
class OutboxIT {

    /** The service reaches RabbitMQ only through a proxy the test can cut, as a broker outage would. */
    @TestConfiguration(proxyBeanMethods = false)
    static class BrokerBehindAProxy {

        @Bean(destroyMethod = "close")
        TcpProxy brokerProxy(TestRabbit.Broker broker) {
            return TcpProxy.start(broker.host(), broker.port());
        }

        @Bean
        DynamicPropertyRegistrar brokerThroughProxy(TcpProxy brokerProxy) {
            return registry -> registry.add("spring.rabbitmq.addresses", () -> "127.0.0.1:" + brokerProxy.port());
        }
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    TestClients clients;

    @Autowired
    TestRabbit.Broker broker;

    @Autowired
    TcpProxy brokerProxy;

    @Autowired
    OutboxRelay relay;

    @Autowired
    JdbcClient jdbc;

    EventQueue events;

    @BeforeEach
    void bindAQueue() {
        events = new EventQueue(broker);
    }

    @AfterEach
    void closeQueue() {
        brokerProxy.enable();
        events.close();
    }

    @Test
    void everyChangeIsPublishedAsASchemaValidCloudEvent() throws Exception {
        String id = clients.createOrder("alice").path("id").asString();
        clients.postJson("alice", "/api/orders/" + id + "/cancel", "", "If-Match", "\"1\"");

        List<Message> messages = events.take(2, Duration.ofSeconds(10));

        Schema schema = schema();
        for (Message message : messages) {
            String body = new String(message.getBody(), StandardCharsets.UTF_8);
            List<Error> errors = schema.validate(body, com.networknt.schema.InputFormat.JSON);
            assertThat(errors).as(body).isEmpty();
            JsonNode event = JSON.readTree(body);
            assertThat(message.getMessageProperties().getContentType()).isEqualTo("application/cloudevents+json");
            assertThat(message.getMessageProperties().getMessageId())
                    .isEqualTo(event.path("id").asString());
            assertThat(message.getMessageProperties().getReceivedRoutingKey())
                    .isEqualTo(event.path("type").asString());
            assertThat(event.path("subject").asString()).isEqualTo(id);
            assertThat((String) message.getMessageProperties().getHeader("traceparent"))
                    .matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]");
        }
        JsonNode created = JSON.readTree(messages.get(0).getBody());
        JsonNode cancelled = JSON.readTree(messages.get(1).getBody());
        assertThat(created.path("type").asString()).isEqualTo("order.created");
        assertThat(created.path("data").path("total").asString()).isEqualTo("25.00");
        assertThat(cancelled.path("type").asString()).isEqualTo("order.status-changed");
        assertThat(cancelled.path("data").path("status").asString()).isEqualTo("CANCELLED");
        assertThat(cancelled.path("data").path("previousStatus").asString()).isEqualTo("PENDING");
        assertThat(cancelled.path("data").path("version").asLong()).isEqualTo(2);
    }

    @Test
    void theRelayPublishesUnderItsOwnProducerSpanInTheRequestsTrace() throws Exception {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        String callerSpan = "00f067aa0ba902b7";
        String id = clients.postJson(
                        "alice",
                        "/api/orders",
                        "{\"items\":[{\"sku\":\"TRACE-1\",\"quantity\":1,\"unitPrice\":\"1.00\"}],\"currency\":\"EUR\"}",
                        "traceparent",
                        "00-" + traceId + "-" + callerSpan + "-01")
                .json()
                .path("id")
                .asString();

        Message message;
        do { // skip events of other tests' orders still on their way
            message = events.take(1, Duration.ofSeconds(10)).getFirst();
        } while (!JSON.readTree(message.getBody()).path("subject").asString().equals(id));
        String stored = jdbc.sql("SELECT traceparent FROM outbox WHERE event_id = :id")
                .param(
                        "id",
                        java.util.UUID.fromString(message.getMessageProperties().getMessageId()))
                .query(String.class)
                .single();
        String sent = message.getMessageProperties().getHeader("traceparent");

        assertThat(stored).as("the row keeps the request's server span").startsWith("00-" + traceId + "-");
        assertThat(sent)
                .as("the message carries the trace, from a span of the relay's own")
                .startsWith("00-" + traceId + "-")
                .endsWith("-01")
                .isNotEqualTo(stored)
                .doesNotContain(callerSpan);
    }

    @Test
    void eventsCommittedWhileTheBrokerIsDownArePublishedInOrderOnceItIsBack() {
        brokerProxy.disable();
        long pendingBefore = relay.pending();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            String id = clients.createOrder("alice").path("id").asString();
            ids.add(id);
            clients.postJson("alice", "/api/orders/" + id + "/cancel", "", "If-Match", "\"1\"");
        }
        // Every request succeeded while the broker was unreachable; the events wait in the outbox.
        await().during(Duration.ofSeconds(1))
                .atMost(Duration.ofSeconds(3))
                .until(() -> relay.pending() >= pendingBefore + 10);
        assertThat(events.next(Duration.ofMillis(200))).isNull();

        brokerProxy.enable();
        List<Message> messages = events.take(10, Duration.ofSeconds(20));

        Map<String, Long> lastVersion = new HashMap<>();
        for (Message message : messages) {
            JsonNode data = JSON.readTree(message.getBody()).path("data");
            String order = data.path("orderId").asString();
            long version = data.path("version").asLong();
            assertThat(version)
                    .as("events of order %s arrive in order", order)
                    .isGreaterThan(lastVersion.getOrDefault(order, 0L));
            lastVersion.put(order, version);
        }
        assertThat(lastVersion).containsOnlyKeys(ids);
        assertThat(lastVersion.values()).containsOnly(2L);
        await().atMost(Duration.ofSeconds(5)).until(() -> relay.pending() == 0);
    }

    private static Schema schema() throws Exception {
        try (InputStream in = OutboxIT.class.getResourceAsStream("/events/order-event.schema.json")) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                    .getSchema(text, com.networknt.schema.InputFormat.JSON);
        }
    }
}
