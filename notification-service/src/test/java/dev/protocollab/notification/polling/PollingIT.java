package dev.protocollab.notification.polling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.protocollab.notification.IntegrationTest;
import dev.protocollab.notification.OrderEvents;
import dev.protocollab.notification.TestClients;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

@IntegrationTest
class PollingIT {

    @Autowired
    TestClients clients;

    @Autowired
    OrderEvents events;

    @Test
    void shortPollAnswersAtOnceWithWhatFollowsAfter() {
        String user = user();
        UUID order = UUID.randomUUID();
        // One at a time: two consumers may store events published back to back in either order.
        events.publish(OrderEvents.created(UUID.randomUUID(), user, order));
        await().atMost(Duration.ofSeconds(10)).until(() -> clients.inbox(user).size() == 1);
        events.publishStatusChanged(user, order, "CONFIRMED", "PENDING", 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> clients.inbox(user).size() == 2);
        events.publishStatusChanged(user, order, "SHIPPED", "CONFIRMED", 3);
        await().atMost(Duration.ofSeconds(10)).until(() -> clients.inbox(user).size() == 3);

        TestClients.Response response = clients.get(user, "/api/notifications?after=1");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Cache-Control")).contains("no-store");
        JsonNode body = response.json();
        assertThat(body.path("notifications"))
                .extracting(n -> n.path("seq").asLong())
                .containsExactly(2L, 3L);
        JsonNode shipped = body.path("notifications").get(1);
        assertThat(shipped.path("type").asString()).isEqualTo("order.status-changed");
        assertThat(shipped.path("orderId").asString()).isEqualTo(order.toString());
        assertThat(shipped.path("status").asString()).isEqualTo("SHIPPED");
        assertThat(shipped.path("occurredAt").isString()).isTrue();
        assertThat(shipped.path("orderVersion").asLong()).isEqualTo(3);
        assertThat(body.path("lastSeq").asLong()).isEqualTo(3);
        assertThat(body.path("hasMore").asBoolean()).isFalse();

        JsonNode page = clients.get(user, "/api/notifications?after=0&limit=2").json();
        assertThat(page.path("notifications")).hasSize(2);
        assertThat(page.path("lastSeq").asLong()).isEqualTo(2);
        assertThat(page.path("hasMore").asBoolean()).isTrue();

        JsonNode nothingNew = clients.get(user, "/api/notifications?after=3").json();
        assertThat(nothingNew.path("notifications")).isEmpty();
        assertThat(nothingNew.path("lastSeq").asLong()).isEqualTo(3);
    }

    @Test
    void longPollAnswersWithin500msOfANewNotification() {
        warmUp();
        String user = user();
        UUID order = UUID.randomUUID();
        CompletableFuture<TestClients.Response> poll =
                CompletableFuture.supplyAsync(() -> clients.get(user, "/api/notifications?after=0&wait=PT8S"));
        await().atMost(Duration.ofSeconds(5))
                .until(() -> clients.metric("notifications_connections", "channel=\"long-poll\"") >= 1);

        long published = System.nanoTime();
        events.publishStatusChanged(user, order, "SHIPPED", "CONFIRMED", 3);
        TestClients.Response response = poll.join();
        Duration took = Duration.ofNanos(System.nanoTime() - published);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().path("notifications"))
                .extracting(n -> n.path("status").asString())
                .containsExactly("SHIPPED");
        System.out.println("long poll answered " + took.toMillis() + " ms after the event was published");
        assertThat(took).isLessThan(Duration.ofMillis(500));
    }

    @Test
    void longPollReturnsEmptyAtItsDeadline() {
        String user = user();
        long started = System.nanoTime();

        TestClients.Response response = clients.get(user, "/api/notifications?after=0&wait=PT1S");

        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().path("notifications")).isEmpty();
        assertThat(response.json().path("lastSeq").asLong()).isZero();
        assertThat(took).isBetween(Duration.ofMillis(950), Duration.ofSeconds(3));
    }

    @Test
    void waitIsBoundedAndPositionsMustBeSequenceNumbers() {
        TestClients.Response tooLong = clients.get("alice", "/api/notifications?after=0&wait=PT1H");
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.header("Content-Type")).startsWith("application/problem+json");
        assertThat(tooLong.json().path("type").asString()).endsWith("/wait-out-of-range");

        TestClients.Response notANumber = clients.get("alice", "/api/notifications?after=abc");
        assertThat(notANumber.status()).isEqualTo(400);
        assertThat(notANumber.json().path("detail").asString()).contains("after");

        assertThat(clients.get("alice", "/api/notifications?after=-1").status()).isEqualTo(400);
        assertThat(clients.get("alice", "/api/notifications?wait=soon").status())
                .isEqualTo(400);
    }

    @Test
    void aUserNeverSeesAnotherUsersNotifications() {
        String alice = user();
        String bob = user();
        events.publishStatusChanged(alice, UUID.randomUUID(), "SHIPPED", "CONFIRMED", 3);
        events.publishStatusChanged(bob, UUID.randomUUID(), "DELIVERED", "SHIPPED", 4);
        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        clients.inbox(alice).size() == 1 && clients.inbox(bob).size() == 1);

        assertThat(clients.inbox(alice))
                .extracting(n -> n.path("status").asString())
                .containsExactly("SHIPPED");
        assertThat(clients.inbox(bob))
                .extracting(n -> n.path("status").asString())
                .containsExactly("DELIVERED");
    }

    @Test
    void withoutAValidBearerTokenTheAnswerIs401() {
        TestClients.Response anonymous = clients.get(null, "/api/notifications");
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.header("WWW-Authenticate")).startsWith("Bearer");
        assertThat(anonymous.header("Content-Type")).startsWith("application/problem+json");

        HttpRequest expired = clients.request(null, "/api/notifications")
                .header("Authorization", "Bearer " + clients.issuer().expiredToken("alice"))
                .build();
        assertThat(clients.send(expired).status()).isEqualTo(401);
        HttpRequest forged = clients.request(null, "/api/notifications")
                .header("Authorization", "Bearer " + clients.issuer().forgedToken("alice"))
                .build();
        assertThat(clients.send(forged).status()).isEqualTo(401);
        HttpRequest wrongAudience = clients.request(null, "/api/notifications")
                .header("Authorization", "Bearer " + clients.issuer().wrongAudienceToken("alice"))
                .build();
        assertThat(clients.send(wrongAudience).status()).isEqualTo(401);

        // Only the stream and the WebSocket handshake read a token from the URL.
        assertThat(clients.get(null, "/api/notifications?access_token=" + clients.token("alice"))
                        .status())
                .isEqualTo(401);
    }

    /**
     * The first event after start-up pays for class loading, the first gRPC connection and the first
     * service token; what is measured here is the wake-up path, so it runs warm.
     */
    private void warmUp() {
        String someoneElse = user();
        events.publishStatusChanged(someoneElse, UUID.randomUUID(), "CONFIRMED", "PENDING", 2);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> clients.inbox(someoneElse).size() == 1);
        clients.get(someoneElse, "/api/notifications?after=0&wait=PT1S");
    }

    private static String user() {
        return "poller-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
