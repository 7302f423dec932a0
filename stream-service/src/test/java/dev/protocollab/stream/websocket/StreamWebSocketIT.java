package dev.protocollab.stream.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.protocollab.stream.IntegrationTest;
import dev.protocollab.stream.TestClients;
import dev.protocollab.stream.TestEvents;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.web.reactive.socket.CloseStatus;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

@IntegrationTest
class StreamWebSocketIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    TestClients clients;

    @Test
    void subscribeDeliversATopicAndUnsubscribeStopsIt() throws Exception {
        try (TestClients.Ws ws = clients.webSocket("/ws/stream").awaitOpen()) {
            ws.send("{\"type\":\"subscribe\",\"topics\":[\"orders\"]}");
            JsonNode ack = next(ws);
            assertThat(ack.path("type").asString()).isEqualTo("subscribed");
            assertThat(ack.path("active").toString()).isEqualTo("[\"orders\"]");

            ObjectNode first = TestEvents.created("7.00", "EUR");
            clients.publish(first);
            JsonNode event = next(ws);
            assertThat(event.path("type").asString()).isEqualTo("event");
            assertThat(event.path("topic").asString()).isEqualTo("orders");
            assertThat(event.path("data").path("orderId").asString())
                    .isEqualTo(first.path("data").path("orderId").asString());

            ws.send("{\"type\":\"unsubscribe\",\"topics\":[\"orders\"]}");
            JsonNode unsubscribed = next(ws);
            assertThat(unsubscribed.path("type").asString()).isEqualTo("unsubscribed");
            assertThat(unsubscribed.path("active").toString()).isEqualTo("[]");
            clients.publish(TestEvents.created("8.00", "EUR"));
            ws.send("{\"type\":\"ping\"}");
            // the pong is the next frame: the order published in between was not delivered
            assertThat(next(ws).path("type").asString()).isEqualTo("pong");
        }
    }

    @Test
    void anUnknownTopicOrTypeGetsAnErrorFrameAndTheSessionGoesOn() throws Exception {
        try (TestClients.Ws ws = clients.webSocket("/ws/stream").awaitOpen()) {
            ws.send("{\"type\":\"subscribe\",\"topics\":[\"orders\",\"payments\"]}");
            JsonNode unknownTopic = next(ws);
            assertThat(unknownTopic.path("type").asString()).isEqualTo("error");
            assertThat(unknownTopic.path("code").asString()).isEqualTo("unknown-topic");

            ws.send("{\"type\":\"dance\"}");
            assertThat(next(ws).path("code").asString()).isEqualTo("unknown-type");
            ws.send("{\"type\":\"subscribe\"}");
            assertThat(next(ws).path("code").asString()).isEqualTo("invalid-topics");

            ws.send("{\"type\":\"subscribe\",\"topics\":[\"metrics\"]}");
            assertThat(next(ws).path("type").asString()).isEqualTo("subscribed");
            JsonNode metrics = next(ws); // a window closes every second
            assertThat(metrics.path("topic").asString()).isEqualTo("metrics");
        }
    }

    @Test
    void textThatIsNotJsonClosesTheSessionWith1007() {
        try (TestClients.Ws ws = clients.webSocket("/ws/stream").awaitOpen()) {
            ws.send("subscribe orders please");

            CloseStatus status = ws.awaitClose(WAIT);
            assertThat(status.getCode()).isEqualTo(1007);
        }
    }

    @Test
    void aBinaryFrameClosesTheSessionWith1003() {
        try (TestClients.Ws ws = clients.webSocket("/ws/stream").awaitOpen()) {
            ws.sendBinary(new byte[] {1, 2, 3});

            assertThat(ws.awaitClose(WAIT).getCode()).isEqualTo(1003);
        }
    }

    @Test
    void aFrameOverTheSizeLimitClosesTheSessionWith1009() {
        try (TestClients.Ws ws = clients.webSocket("/ws/stream").awaitOpen()) {
            ws.send("{\"type\":\"ping\",\"padding\":\"" + "x".repeat(70_000) + "\"}");

            assertThat(ws.awaitClose(WAIT).getCode()).isEqualTo(1009);
        }
    }

    private static JsonNode next(TestClients.Ws ws) throws InterruptedException {
        return JSON.readTree(ws.next(WAIT));
    }
}
