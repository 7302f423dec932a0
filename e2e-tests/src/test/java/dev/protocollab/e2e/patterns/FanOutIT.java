package dev.protocollab.e2e.patterns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.protocollab.e2e.suite.FullSuite;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Publish-subscribe across instances: one order placed through the gateway is consumed once (the shared
 * queue) but pushed live by both notification-service instances to the sessions each holds (the fanout
 * exchange), and broadcast by stream-service. The WebSockets here go to each instance directly, so the
 * test knows which instance delivered what.
 */
class FanOutIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @Test
    void bothNotificationInstancesPushTheSameNotificationExactlyOnce() throws Exception {
        FullSuite suite = FullSuite.shared();
        String user = "fanout-" + UUID.randomUUID().toString().substring(0, 8);
        String token = suite.token(user);
        List<Messages> sockets = new ArrayList<>();
        for (FullSuite.Instance instance : suite.notificationServices()) {
            sockets.add(open(instance.baseUri(), "/ws/notifications", token));
        }
        Messages broadcast = open(suite.streamService().baseUri(), "/ws/stream", token);
        broadcast
                .socket
                .sendText("{\"type\":\"subscribe\",\"topics\":[\"orders\"]}", true)
                .get(5, TimeUnit.SECONDS);
        // The protocol promises every event published after the ack, nothing before it: a client that acts
        // before the ack races its own subscription (this test did, and lost order.created now and then when
        // the machine was busy after LoadBalancingIT's restart).
        broadcast.until(m -> "subscribed".equals(m.path("type").asString()), Duration.ofSeconds(10));

        String orderId = suite.placeOrder(token, "FAN-1");

        for (Messages socket : sockets) {
            List<JsonNode> delivered = socket.until(
                    m -> "DELIVERED"
                            .equals(m.path("notification").path("status").asString()),
                    Duration.ofSeconds(40));
            List<String> statuses = delivered.stream()
                    .filter(m -> orderId.equals(
                            m.path("notification").path("orderId").asString()))
                    .map(m -> m.path("notification").path("status").asString())
                    .toList();
            assertThat(statuses)
                    .as("each status once, in order, on " + socket.uri)
                    .containsExactly("PENDING", "CONFIRMED", "SHIPPED", "DELIVERED");
        }
        List<JsonNode> events = broadcast.until(
                m -> orderId.equals(m.path("data").path("orderId").asString())
                        && "DELIVERED".equals(m.path("data").path("status").asString()),
                Duration.ofSeconds(40));
        List<String> broadcastStatuses = events.stream()
                .filter(m -> orderId.equals(m.path("data").path("orderId").asString()))
                .map(m -> m.path("data").path("status").asString())
                .toList();
        assertThat(broadcastStatuses)
                .as("stream-service broadcast each status once, in order; all messages: " + events)
                .containsExactly("PENDING", "CONFIRMED", "SHIPPED", "DELIVERED");
        sockets.forEach(Messages::close);
        broadcast.close();
    }

    private Messages open(URI base, String path, String token) throws Exception {
        URI uri = URI.create(base.toString().replaceFirst("^http", "ws") + path + "?access_token="
                + URLEncoder.encode(token, StandardCharsets.UTF_8));
        Messages messages = new Messages(uri);
        messages.socket = http.newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .buildAsync(uri, messages)
                .get(10, TimeUnit.SECONDS);
        return messages;
    }

    /** A WebSocket's text messages, as JSON, in arrival order. */
    private static final class Messages implements WebSocket.Listener {
        final URI uri;
        final BlockingQueue<JsonNode> queue = new LinkedBlockingQueue<>();
        final StringBuilder partial = new StringBuilder();
        WebSocket socket;

        Messages(URI uri) {
            this.uri = uri;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                queue.add(JSON.readTree(partial.toString()));
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        /** Every message up to and including the first that matches. */
        List<JsonNode> until(java.util.function.Predicate<JsonNode> last, Duration timeout)
                throws InterruptedException {
            List<JsonNode> seen = new ArrayList<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                JsonNode message = queue.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (message != null) {
                    seen.add(message);
                    if (last.test(message)) {
                        return seen;
                    }
                }
            }
            throw new AssertionError("nothing matched on " + uri + " within " + timeout + "; saw " + seen);
        }

        void close() {
            socket.abort();
        }
    }
}
