package dev.protocollab.gateway.routing;

import static dev.protocollab.gateway.TestClients.uniqueUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.protocollab.gateway.Backends;
import dev.protocollab.gateway.IntegrationTest;
import dev.protocollab.gateway.TestClients;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** Live push through the gateway: SSE event by event, WebSocket sessions pinned to their instance. */
@IntegrationTest
class StreamingIT {

    @Autowired
    TestClients clients;

    private final Backends backends = Backends.get();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void sseEventsArriveOneByOneWithoutBuffering() throws Exception {
        String token = clients.token(uniqueUser("sse"));
        HttpRequest request = clients.request(clients.http("/api/notifications/stream"), token)
                .header("Accept", "text/event-stream")
                .build();
        List<String> lines = new CopyOnWriteArrayList<>();
        CompletableFuture<HttpResponse<Stream<String>>> response =
                http.sendAsync(request, HttpResponse.BodyHandlers.ofLines());
        HttpResponse<Stream<String>> stream = response.get(10, TimeUnit.SECONDS);
        assertThat(stream.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
        Thread reader = Thread.ofVirtual().start(() -> stream.body().forEach(lines::add));
        try {
            // the backend greets a stream only once it listens for events (other tests' streams may come and go)
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> lines.stream().anyMatch(line -> line.startsWith(": connected to")));

            // each event is sent only after the previous one arrived: buffering would stall this test
            for (int i = 1; i <= 3; i++) {
                String data = "{\"seq\":" + i + "}";
                backends.emitNotification(data);
                await().atMost(Duration.ofSeconds(5)).until(() -> lines.contains("data: " + data));
            }
        } finally {
            reader.interrupt();
            stream.body().close();
        }
    }

    @Test
    void sseAcceptsTheTokenAsAQueryParameterForBrowsers() throws Exception {
        String token = clients.token(uniqueUser("browser"));
        HttpRequest request = HttpRequest.newBuilder(clients.http("/api/notifications/stream?access_token=" + token))
                .header("Accept", "text/event-stream")
                .build();

        HttpResponse<Stream<String>> response =
                http.sendAsync(request, HttpResponse.BodyHandlers.ofLines()).get(10, TimeUnit.SECONDS);
        try {
            assertThat(response.statusCode()).isEqualTo(200);
        } finally {
            response.body().close();
        }
    }

    @Test
    void aQueryTokenIsRefusedOnOrdinaryRoutes() {
        String token = clients.token(uniqueUser("leaky"));

        assertThat(clients.get(clients.http("/api/orders/echo?access_token=" + token), null)
                        .statusCode())
                .isEqualTo(401);
    }

    @Test
    void webSocketSessionsStayOnTheirInstanceAndSessionsSpreadAcrossInstances() throws Exception {
        String token = clients.token(uniqueUser("ws"));
        Set<String> instances = new HashSet<>();
        for (int session = 0; session < 4; session++) {
            List<String> messages = new CopyOnWriteArrayList<>();
            WebSocket socket = http.newWebSocketBuilder()
                    .header("Authorization", "Bearer " + token)
                    .buildAsync(
                            URI.create("ws://127.0.0.1:" + clients.port() + "/ws/notifications"), collector(messages))
                    .get(10, TimeUnit.SECONDS);
            for (int i = 0; i < 3; i++) {
                socket.sendText("ping-" + i, true).get(5, TimeUnit.SECONDS);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> messages.size() == 4);
            Set<String> seen = new HashSet<>();
            messages.forEach(message ->
                    seen.add(TestClients.json(message).path("instance").asString()));
            assertThat(seen).as("instances one session talked to").hasSize(1);
            instances.addAll(seen);
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
        }
        assertThat(instances).containsExactlyInAnyOrder("notifications-a", "notifications-b");
    }

    @Test
    void aBrowsersQueryTokenReachesTheBackendAsTheOnlyToken() throws Exception {
        List<String> messages = new CopyOnWriteArrayList<>();
        WebSocket socket = http.newWebSocketBuilder()
                .buildAsync(
                        URI.create("ws://127.0.0.1:" + clients.port() + "/ws/notifications?after=7&access_token="
                                + clients.token(uniqueUser("browser"))),
                        collector(messages))
                .get(10, TimeUnit.SECONDS);
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> !messages.isEmpty());
            JsonNode hello = TestClients.json(messages.getFirst());
            assertThat(hello.path("type").asString()).isEqualTo("hello");
            assertThat(hello.path("uri").asString()).isEqualTo("/ws/notifications?after=7");
        } finally {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aFrameBeyondTheServicesLimitIsRefusedAtTheEdge() throws Exception {
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        List<String> messages = new CopyOnWriteArrayList<>();
        WebSocket.Listener collecting = collector(messages);
        WebSocket socket = http.newWebSocketBuilder()
                .header("Authorization", "Bearer " + clients.token(uniqueUser("chatty")))
                .buildAsync(
                        URI.create("ws://127.0.0.1:" + clients.port() + "/ws/notifications"), new WebSocket.Listener() {
                            @Override
                            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                                return collecting.onText(webSocket, data, last);
                            }

                            @Override
                            public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                                closed.complete(statusCode);
                                return null;
                            }

                            @Override
                            public void onError(WebSocket webSocket, Throwable error) {
                                closed.complete(-1);
                            }
                        })
                .get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).until(() -> !messages.isEmpty());

        socket.sendText("x".repeat(60 * 1024), true).get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).until(() -> messages.size() == 2);

        socket.sendText("x".repeat(64 * 1024 + 1), true).get(5, TimeUnit.SECONDS);

        // the stub backend takes frames up to 1 MiB, so the close (1009 too big, or Netty's 1002) is the gateway's
        assertThat(closed.get(10, TimeUnit.SECONDS)).as("close code").isIn(1002, 1009);
        assertThat(messages).as("no echo of the oversized frame").hasSize(2);
    }

    @Test
    void aWebSocketWithoutTokenIsRefusedAtTheHandshake() {
        CompletableFuture<WebSocket> socket = http.newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + clients.port() + "/ws/notifications"), collector(List.of()));

        assertThat(socket)
                .failsWithin(Duration.ofSeconds(10))
                .withThrowableThat()
                .havingRootCause()
                .withMessageContaining("401");
    }

    private static WebSocket.Listener collector(List<String> messages) {
        return new WebSocket.Listener() {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    messages.add(partial.toString());
                    partial.setLength(0);
                }
                webSocket.request(1);
                return null;
            }
        };
    }
}
