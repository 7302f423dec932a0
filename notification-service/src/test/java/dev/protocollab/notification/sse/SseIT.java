package dev.protocollab.notification.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.protocollab.notification.IntegrationTest;
import dev.protocollab.notification.OrderEvents;
import dev.protocollab.notification.SseStream;
import dev.protocollab.notification.TestClients;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

@IntegrationTest
class SseIT {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Autowired
    TestClients clients;

    @Autowired
    OrderEvents events;

    @Test
    void aClientThatMissedThreeNotificationsGetsExactlyThoseWithLastEventId() throws Exception {
        String user = user();
        UUID order = UUID.randomUUID();
        try (SseStream first = clients.sse(user, "?after=0")) {
            events.publishStatusChanged(user, order, "CONFIRMED", "PENDING", 2);
            SseStream.Event event = first.next(WAIT);
            assertThat(event.id()).isEqualTo("1");
            assertThat(event.name()).isEqualTo("notification");
            assertThat(event.json().path("seq").asLong()).isEqualTo(1);
            assertThat(event.json().path("status").asString()).isEqualTo("CONFIRMED");
        }
        // One at a time: two consumers may store concurrently published events in either order.
        publishAndAwait(user, order, "SHIPPED", "CONFIRMED", 3, 2);
        publishAndAwait(user, order, "DELIVERED", "SHIPPED", 4, 3);
        publishAndAwait(user, UUID.randomUUID(), "CANCELLED", "PENDING", 2, 4);

        try (SseStream resumed = clients.sse(user, "", "Last-Event-ID", "1")) {
            List<SseStream.Event> missed = resumed.take(3, WAIT);
            assertThat(missed).extracting(SseStream.Event::id).containsExactly("2", "3", "4");
            assertThat(missed)
                    .extracting(e -> e.json().path("status").asString())
                    .containsExactly("SHIPPED", "DELIVERED", "CANCELLED");
            assertThat(resumed.poll(Duration.ofMillis(500))).as("nothing twice").isNull();

            events.publishStatusChanged(user, order, "RETURNED", "DELIVERED", 5);
            assertThat(resumed.next(WAIT).id()).as("then live").isEqualTo("5");
        }
    }

    @Test
    void theStreamSetsRetryAndSendsHeartbeats() {
        try (SseStream stream = clients.sse(user(), "")) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.header("Content-Type")).startsWith("text/event-stream");
            assertThat(stream.header("Cache-Control")).contains("no-store");
            await().atMost(WAIT).until(() -> "3000".equals(stream.retry()));
            await().atMost(WAIT)
                    .until(() -> stream.comments().stream()
                                    .filter("heartbeat"::equals)
                                    .count()
                            >= 2);
        }
    }

    @Test
    void anEventSourceMayPassItsTokenInTheQueryButNeedsOne() {
        String user = user();
        try (SseStream stream = clients.sse(null, "?after=0&access_token=" + clients.token(user))) {
            assertThat(stream.status()).isEqualTo(200);
            events.publishStatusChanged(user, UUID.randomUUID(), "SHIPPED", "CONFIRMED", 3);
            assertThat(stream.next(WAIT).id()).isEqualTo("1");
        }
        try (SseStream anonymous = clients.sse(null, "")) {
            assertThat(anonymous.status()).isEqualTo(401);
        }
        try (SseStream badPosition = clients.sse(user, "", "Last-Event-ID", "yesterday")) {
            assertThat(badPosition.status()).isEqualTo(400);
        }
    }

    private void publishAndAwait(String user, UUID order, String status, String previous, long version, int inbox) {
        events.publishStatusChanged(user, order, status, previous, version);
        await().atMost(WAIT).until(() -> clients.inbox(user).size() == inbox);
    }

    private static String user() {
        return "sse-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
