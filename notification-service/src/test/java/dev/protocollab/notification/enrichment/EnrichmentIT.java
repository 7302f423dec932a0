package dev.protocollab.notification.enrichment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.protocollab.notification.FakeOrderService;
import dev.protocollab.notification.IntegrationTest;
import dev.protocollab.notification.OrderEvents;
import dev.protocollab.notification.SseStream;
import dev.protocollab.notification.TestClients;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.grpc.Status;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

@IntegrationTest
class EnrichmentIT {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @Autowired
    TestClients clients;

    @Autowired
    OrderEvents events;

    @Autowired
    FakeOrderService orderService;

    @Autowired
    CircuitBreaker orderServiceBreaker;

    /**
     * The first call after start-up pays for the channel's connection and the first token, which may take
     * longer than the test's 500ms deadline on a busy machine; the tests measure what follows.
     */
    @BeforeEach
    void warmAndClosed() {
        String someone = user();
        events.publishStatusChanged(someone, UUID.randomUUID(), "SHIPPED", "CONFIRMED", 3);
        await().atMost(WAIT).until(() -> clients.inbox(someone).size() == 1);
        fresh();
    }

    @AfterEach
    void orderServiceBackToNormal() {
        fresh();
    }

    private void fresh() {
        orderService.reset();
        orderServiceBreaker.reset();
    }

    @Test
    void notificationsAreEnrichedFromGetOrderWithACachedServiceToken() {
        String user = user();
        int tokensBefore = clients.issuer().issuedClientTokens();

        events.publishStatusChanged(user, UUID.randomUUID(), "SHIPPED", "CONFIRMED", 3);
        events.publishStatusChanged(user, UUID.randomUUID(), "CONFIRMED", "PENDING", 2);
        await().atMost(WAIT).until(() -> clients.inbox(user).size() == 2);

        for (JsonNode notification : clients.inbox(user)) {
            assertThat(notification.path("enriched").asBoolean()).isTrue();
            assertThat(notification.path("items").get(0).path("sku").asString()).isEqualTo("BOOK-42");
            assertThat(notification.path("message").asString()).contains("2 × BOOK-42");
        }
        assertThat(orderService.callers()).isNotEmpty().allSatisfy(token -> {
            assertThat(token.getSubject()).isEqualTo("notification-service");
            assertThat(token.getClaimAsString("scope")).contains("orders:read");
        });
        assertThat(clients.issuer().issuedClientTokens() - tokensBefore)
                .as("the token is cached, not fetched per event")
                .isLessThanOrEqualTo(1);
    }

    @Test
    void anOrderCreatedEventCarriesItsItemsSoOrderServiceIsNotAsked() {
        String user = user();
        // order-service would be slow: a lookup would show as a wait, and in calls()
        orderService.delay(Duration.ofSeconds(2));

        events.publish(OrderEvents.created(UUID.randomUUID(), user, UUID.randomUUID()));
        await().atMost(WAIT).until(() -> clients.inbox(user).size() == 1);

        JsonNode notification = clients.inbox(user).get(0);
        assertThat(notification.path("items").get(0).path("sku").asString()).isEqualTo("BOOK-42");
        assertThat(notification.path("enriched").asBoolean())
                .as("the items came from the event, not from GetOrder")
                .isFalse();
        assertThat(orderService.calls()).isZero();
        assertThat(clients.metric("notifications_consumed_total", "outcome=\"stored-from-event\""))
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void onlyUnavailableIsRetried() {
        String user = user();
        orderService.failNext(Status.Code.UNAVAILABLE, 2);
        events.publishStatusChanged(user, UUID.randomUUID(), "SHIPPED", "CONFIRMED", 3);
        await().atMost(WAIT).until(() -> clients.inbox(user).size() == 1);
        assertThat(clients.inbox(user).get(0).path("enriched").asBoolean())
                .as("the third attempt succeeded")
                .isTrue();
        assertThat(orderService.calls()).isEqualTo(3);

        fresh(); // two failures in a window of four would open the breaker
        String other = user();
        orderService.failNext(Status.Code.INVALID_ARGUMENT, 1);
        events.publishStatusChanged(other, UUID.randomUUID(), "SHIPPED", "CONFIRMED", 3);
        await().atMost(WAIT).until(() -> clients.inbox(other).size() == 1);
        assertThat(clients.inbox(other).get(0).path("enriched").asBoolean()).isFalse();
        assertThat(orderService.calls()).isEqualTo(1);
    }

    @Test
    void aSlowOrderServiceRunsIntoTheDeadlineWhichIsNotRetried() {
        String user = user();
        orderService.delay(Duration.ofSeconds(2)); // the test deadline is 500ms

        events.publishStatusChanged(user, UUID.randomUUID(), "SHIPPED", "CONFIRMED", 3);
        await().atMost(WAIT).until(() -> clients.inbox(user).size() == 1);

        // Not enriched although the answer would have come: the call gave up at its deadline, once.
        assertThat(clients.inbox(user).get(0).path("enriched").asBoolean()).isFalse();
        assertThat(orderService.calls()).as("DEADLINE_EXCEEDED is not retried").isEqualTo(1);
    }

    @Test
    void whenOrderServiceIsDownNotificationsAreStillStoredAndDeliveredAndTheBreakerOpensThenCloses() {
        String user = user();
        try (SseStream stream = clients.sse(user, "?after=0")) {
            orderService.down();

            for (int i = 1; i <= 3; i++) {
                events.publishStatusChanged(user, UUID.randomUUID(), "SHIPPED", "CONFIRMED", 3);
                SseStream.Event delivered = stream.next(WAIT);
                assertThat(delivered.id()).isEqualTo(Integer.toString(i));
                assertThat(delivered.json().path("enriched").asBoolean()).isFalse();
                assertThat(delivered.json().has("items")).isFalse();
            }
            assertThat(breaker("open")).as("open after repeated UNAVAILABLE").isEqualTo(1);
            double fastFailsBefore = clients.metric("notifications_enrichment_total", "outcome=\"breaker-open\"");
            events.publishStatusChanged(user, UUID.randomUUID(), "SHIPPED", "CONFIRMED", 3);
            assertThat(stream.next(WAIT).json().path("enriched").asBoolean()).isFalse();
            assertThat(clients.metric("notifications_enrichment_total", "outcome=\"breaker-open\""))
                    .as("an open breaker fails fast, without calling")
                    .isGreaterThan(fastFailsBefore);

            orderService.up();
            // After wait-in-open-state (1s) the breaker lets a trial call through; it succeeds and closes.
            await().atMost(WAIT).until(() -> breaker("half_open") == 1 || breaker("closed") == 1);
            int seq = 4;
            boolean enriched = false;
            while (!enriched) {
                events.publishStatusChanged(user, UUID.randomUUID(), "DELIVERED", "SHIPPED", 4);
                SseStream.Event event = stream.next(WAIT);
                assertThat(event.id()).isEqualTo(Integer.toString(++seq));
                enriched = event.json().path("enriched").asBoolean();
            }
            assertThat(breaker("closed")).as("closed again").isEqualTo(1);
        }
        assertThat(clients.inbox(user))
                .allSatisfy(n -> assertThat(n.path("seq").asLong()).isPositive());
    }

    /** The breaker's state gauge as Prometheus shows it: 1 for the current state. */
    private double breaker(String state) {
        return clients.metric("resilience4j_circuitbreaker_state", "name=\"order-service\"", "state=\"" + state + "\"");
    }

    private static String user() {
        return "enrich-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
