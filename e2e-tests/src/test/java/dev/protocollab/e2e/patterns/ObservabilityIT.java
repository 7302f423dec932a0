package dev.protocollab.e2e.patterns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.protocollab.e2e.suite.FullSuite;
import dev.protocollab.e2e.suite.TraceCollector;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * Observability end to end: a request that enters the gateway with a W3C {@code traceparent} is one
 * trace across the gateway, order-service, the outbox's RabbitMQ hop (the outbox row keeps the request's
 * {@code traceparent} and the relay sends it as a message header) and notification-service's consumer and
 * live fan-out to both instances (which is what pushes the WebSocket message); and every service's
 * Prometheus endpoint counts requests by protocol. Spans go to an in-test OTLP receiver.
 */
class ObservabilityIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int PRODUCER = 4;
    private static final int CONSUMER = 5;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @Test
    void oneTraceSpansTheGatewayTheOrderServiceTheBrokerHopAndTheNotificationPush() throws Exception {
        FullSuite suite = FullSuite.shared();
        String token = suite.token("trace-" + UUID.randomUUID().toString().substring(0, 8));
        List<String> pushed = new CopyOnWriteArrayList<>();
        WebSocket socket = http.newWebSocketBuilder()
                .buildAsync(
                        java.net.URI.create(suite.gateway().httpUri().toString().replaceFirst("^http", "ws")
                                + "/ws/notifications?access_token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)),
                        new WebSocket.Listener() {
                            @Override
                            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                                pushed.add(data.toString());
                                webSocket.request(1);
                                return null;
                            }
                        })
                .get(10, TimeUnit.SECONDS);

        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String traceId = HexFormat.of().formatHex(random, 0, 16);
        String traceparent = "00-" + traceId + "-" + HexFormat.of().formatHex(random, 16, 24) + "-01";
        String orderId = suite.placeOrder(token, "TRACE-1", "traceparent", traceparent);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> pushed.stream().anyMatch(message -> message.contains(orderId)));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            List<TraceCollector.Span> trace = suite.traces().trace(traceId);
            Set<String> services =
                    trace.stream().map(TraceCollector.Span::service).collect(Collectors.toSet());
            assertThat(services)
                    .as("services in trace " + traceId + ": " + trace)
                    .contains("gateway-service", "order-service", "notification-service");
            assertThat(trace)
                    .as("order-service's outbox relay published the event under a producer span of the trace")
                    .anyMatch(span -> span.service().equals("order-service")
                            && span.kind() == PRODUCER
                            && span.name().contains("publish"));
            assertThat(trace)
                    .as("the outbox's message, carrying order-service's traceparent, consumed in the trace")
                    .anyMatch(span -> span.service().equals("notification-service")
                            && span.kind() == CONSUMER
                            && span.name().contains("order-events"));
            assertThat(trace)
                    .as("notification-service published the stored notification to its live fan-out")
                    .anyMatch(span -> span.service().equals("notification-service") && span.kind() == PRODUCER);
            assertThat(trace.stream()
                            .filter(span -> span.service().equals("notification-service")
                                    && span.kind() == CONSUMER
                                    && span.name().contains(".live."))
                            .map(TraceCollector.Span::name)
                            .distinct()
                            .count())
                    .as("both instances received the live fan-out that pushes to their WebSocket sessions")
                    .isEqualTo(2);
        });
        socket.abort();
    }

    @Test
    void everyServiceCountsRequestsByProtocol() throws Exception {
        FullSuite suite = FullSuite.shared();
        String token = suite.token("metrics-" + UUID.randomUUID().toString().substring(0, 8));
        http.send(
                HttpRequest.newBuilder(suite.gateway().httpUri().resolve("/api/orders?size=1"))
                        .timeout(Duration.ofSeconds(10))
                        .header("Authorization", "Bearer " + token)
                        .build(),
                HttpResponse.BodyHandlers.discarding());

        assertThat(suite.gateway().prometheus())
                .as("the gateway's requests by negotiated protocol")
                .containsPattern("gateway_requests_seconds_count\\{[^}]*protocol=\"HTTP/1.1\"");
        for (FullSuite.Instance instance : suite.orderServices()) {
            assertThat(instance.prometheus())
                    .as("order-service: REST requests")
                    .contains("http_server_requests_seconds_count{");
        }
        for (FullSuite.Instance instance : suite.notificationServices()) {
            assertThat(instance.prometheus())
                    .as("notification-service: AMQP deliveries")
                    .contains("spring_rabbit_listener_seconds_count{");
        }
        assertThat(suite.streamService().prometheus())
                .as("stream-service: SSE/WebSocket requests")
                .contains("http_server_requests_seconds_count{");
    }
}
