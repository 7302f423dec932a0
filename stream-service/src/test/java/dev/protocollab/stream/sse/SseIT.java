package dev.protocollab.stream.sse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.protocollab.stream.IntegrationTest;
import dev.protocollab.stream.TestClients;
import dev.protocollab.stream.TestEvents;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.codec.ServerSentEvent;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

@IntegrationTest
class SseIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    TestClients clients;

    @Test
    void opensWithRetryAndKeepsTheConnectionAliveWithHeartbeatComments() throws Exception {
        try (TestClients.Sse sse = clients.sse("/api/stream/orders", null)) {
            ServerSentEvent<String> hello = sse.next(WAIT);
            assertThat(hello.retry()).isEqualTo(Duration.ofSeconds(2));
            assertThat(hello.comment()).isEqualTo("stream orders");

            ServerSentEvent<String> heartbeat = sse.next(Duration.ofSeconds(5)); // every second in tests
            assertThat(heartbeat.comment()).isEqualTo("heartbeat");
            assertThat(heartbeat.event()).isNull();
        }
    }

    @Test
    void aReconnectingClientResumesRightAfterItsLastEventId() throws Exception {
        ObjectNode first = TestEvents.created("1.00", "EUR");
        ObjectNode second = TestEvents.created("2.00", "EUR");
        ObjectNode third = TestEvents.created("3.00", "EUR");
        try (TestClients.Sse before = clients.sse("/api/stream/orders", null)) {
            before.next(WAIT);
            clients.publish(first);
            clients.publish(second);
            clients.publish(third);
            assertThat(before.nextEvent(WAIT).id()).isEqualTo(id(first));
            assertThat(before.nextEvent(WAIT).id()).isEqualTo(id(second));
            assertThat(before.nextEvent(WAIT).id()).isEqualTo(id(third));
        } // the connection drops after the first event was seen; the browser resends its id

        try (TestClients.Sse resumed = clients.sse("/api/stream/orders", id(first))) {
            assertThat(resumed.nextEvent(WAIT).id()).isEqualTo(id(second));
            assertThat(resumed.nextEvent(WAIT).id()).isEqualTo(id(third));
            ObjectNode fourth = TestEvents.created("4.00", "EUR");
            clients.publish(fourth);
            assertThat(resumed.nextEvent(WAIT).id()).isEqualTo(id(fourth));
        }
    }

    @Test
    void aClientWhoseLastEventIdIsNoLongerInTheRingIsToldItMissedEvents() throws Exception {
        try (TestClients.Sse resumed =
                clients.sse("/api/stream/orders", UUID.randomUUID().toString())) {
            ServerSentEvent<String> gap = resumed.nextEvent(WAIT);
            assertThat(gap.event()).isEqualTo("gap");
            JsonNode data = JSON.readTree(gap.data());
            assertThat(data.path("topic").asString()).isEqualTo("orders");
            assertThat(data.path("reason").asString()).isEqualTo("resume-unavailable");

            ObjectNode live = TestEvents.created("5.00", "EUR");
            clients.publish(live);
            assertThat(resumed.nextEvent(WAIT).id()).isEqualTo(id(live));
        }
    }

    @Test
    void anUnknownTopicIsA404Problem() {
        HttpResponse<String> response = clients.get(
                "/api/stream/payments", "Authorization", "Bearer " + clients.token(), "Accept", "text/event-stream");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.path("type").asString()).isEqualTo("https://protocol-lab.dev/problems/unknown-topic");
        assertThat(problem.path("status").asInt()).isEqualTo(404);
        assertThat(problem.path("detail").asString()).contains("payments");
    }

    private static String id(ObjectNode event) {
        return event.get("id").asString();
    }
}
