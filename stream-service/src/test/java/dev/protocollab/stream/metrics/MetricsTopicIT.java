package dev.protocollab.stream.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.protocollab.contracts.stream.v1.MetricsSnapshot;
import dev.protocollab.contracts.stream.v1.StreamMessage;
import dev.protocollab.contracts.stream.v1.Topic;
import dev.protocollab.stream.IntegrationTest;
import dev.protocollab.stream.TestClients;
import dev.protocollab.stream.TestEvents;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.codec.ServerSentEvent;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code metrics} topic adds up exactly the order events that came through RabbitMQ: orders created,
 * revenue per currency (decimal, never float), orders by status entered, all events, and a rate that is
 * the window's orders over the window's length. The same windows reach SSE and gRPC subscribers.
 */
@IntegrationTest
class MetricsTopicIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    TestClients clients;

    @Test
    void theWindowsAddUpToTheEventsSent() throws Exception {
        try (TestClients.Sse sse = clients.sse("/api/stream/metrics", null);
                TestClients.Subscription grpc = clients.subscribe(Topic.TOPIC_METRICS)) {
            assertThat(grpc.next(WAIT).hasSubscribed()).isTrue();
            // Start after a window in which nothing happened, so earlier tests' events are not counted.
            JsonNode quiet;
            do {
                quiet = metrics(sse);
            } while (quiet.path("events").asLong() != 0);
            String quietStart = quiet.path("windowStart").asString();
            StreamMessage grpcWindow;
            do {
                grpcWindow = grpc.next(WAIT);
            } while (!grpcWindow.getId().equals(quietStart));

            ObjectNode tenEuros = TestEvents.created("10.00", "EUR");
            ObjectNode twentyEuros = TestEvents.created("20.55", "EUR");
            ObjectNode fiveDollars = TestEvents.created("5.25", "USD");
            List<ObjectNode> sent = List.of(
                    tenEuros,
                    twentyEuros,
                    fiveDollars,
                    TestEvents.statusChanged(tenEuros, "PENDING", "CONFIRMED", 2),
                    TestEvents.statusChanged(fiveDollars, "PENDING", "CANCELLED", 2));
            clients.publishAll(sent);

            Totals viaSse = new Totals();
            while (viaSse.events < sent.size()) {
                JsonNode window = metrics(sse);
                viaSse.add(window);
                double seconds = Duration.between(
                                        Instant.parse(window.path("windowStart").asString()),
                                        Instant.parse(window.path("windowEnd").asString()))
                                .toNanos()
                        / 1e9;
                assertThat(window.path("ordersPerSecond").asDouble())
                        .isCloseTo(window.path("orders").asLong() / seconds, within(1e-6));
            }
            Totals viaGrpc = new Totals();
            while (viaGrpc.events < sent.size()) {
                viaGrpc.add(grpc.next(WAIT).getMetrics());
            }

            for (Totals totals : List.of(viaSse, viaGrpc)) {
                assertThat(totals.events).isEqualTo(5);
                assertThat(totals.orders).isEqualTo(3);
                assertThat(totals.revenue).containsOnlyKeys("EUR", "USD");
                assertThat(totals.revenue.get("EUR")).isEqualByComparingTo("30.55");
                assertThat(totals.revenue.get("USD")).isEqualByComparingTo("5.25");
                assertThat(totals.byStatus).isEqualTo(Map.of("PENDING", 3L, "CONFIRMED", 1L, "CANCELLED", 1L));
            }
        }
    }

    private static JsonNode metrics(TestClients.Sse sse) throws InterruptedException {
        ServerSentEvent<String> event = sse.nextEvent(WAIT);
        assertThat(event.event()).isEqualTo("metrics");
        JsonNode window = JSON.readTree(event.data());
        assertThat(event.id()).isEqualTo(window.path("windowStart").asString());
        return window;
    }

    /** Sums of consecutive windows: the events may fall into one window or straddle two. */
    private static final class Totals {

        long events;
        long orders;
        final Map<String, BigDecimal> revenue = new TreeMap<>();
        final Map<String, Long> byStatus = new TreeMap<>();

        void add(JsonNode window) {
            events += window.path("events").asLong();
            orders += window.path("orders").asLong();
            window.path("revenue")
                    .properties()
                    .forEach(e -> revenue.merge(
                            e.getKey(), new BigDecimal(e.getValue().asString()), BigDecimal::add));
            window.path("ordersByStatus")
                    .properties()
                    .forEach(e -> byStatus.merge(e.getKey(), e.getValue().asLong(), Long::sum));
        }

        void add(MetricsSnapshot window) {
            events += window.getEvents();
            orders += window.getOrders();
            window.getRevenueMap()
                    .forEach((currency, amount) -> revenue.merge(currency, new BigDecimal(amount), BigDecimal::add));
            window.getOrdersByStatusMap().forEach((status, count) -> byStatus.merge(status, count, Long::sum));
        }
    }
}
