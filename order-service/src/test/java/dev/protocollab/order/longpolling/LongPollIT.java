package dev.protocollab.order.longpolling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.protocollab.order.IntegrationTest;
import dev.protocollab.order.TestClients;
import dev.protocollab.order.TestClients.Response;
import dev.protocollab.order.changes.OrderChanges;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

@IntegrationTest
class LongPollIT {

    @Autowired
    TestClients clients;

    @Autowired
    OrderChanges changes;

    record Timed(Response response, long finishedAt) {}

    @Test
    void longPollAnswersWithin500msOfAStatusChange() throws Exception {
        String id = clients.createOrder("alice").path("id").asString();
        int parkedBefore = changes.subscriberCount();
        CompletableFuture<Timed> poll = CompletableFuture.supplyAsync(() -> {
            Response response = clients.get("alice", "/api/orders/" + id + "/status?after=1&wait=PT10S");
            return new Timed(response, System.nanoTime());
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> changes.subscriberCount() > parkedBefore);

        long changeStarted = System.nanoTime();
        Response cancelled = clients.postJson("alice", "/api/orders/" + id + "/cancel", "", "If-Match", "\"1\"");
        Timed answer = poll.get(5, TimeUnit.SECONDS);

        assertThat(cancelled.status()).isEqualTo(200);
        assertThat(answer.response().status()).isEqualTo(200);
        assertThat(answer.response().json().path("status").asString()).isEqualTo("CANCELLED");
        assertThat(answer.response().json().path("version").asLong()).isEqualTo(2);
        assertThat(answer.response().header("ETag")).isEqualTo("\"2\"");
        assertThat(Duration.ofNanos(answer.finishedAt() - changeStarted)).isLessThan(Duration.ofMillis(500));
        await().atMost(Duration.ofSeconds(2)).until(() -> changes.subscriberCount() == parkedBefore);
    }

    @Test
    void longPollAnswers304AtItsDeadline() {
        String id = clients.createOrder("alice").path("id").asString();

        long started = System.nanoTime();
        Response response = clients.get("alice", "/api/orders/" + id + "/status?after=1&wait=PT1S");
        Duration waited = Duration.ofNanos(System.nanoTime() - started);

        assertThat(response.status()).isEqualTo(304);
        assertThat(response.header("Cache-Control")).isEqualTo("no-store");
        assertThat(waited).isBetween(Duration.ofMillis(950), Duration.ofSeconds(5));
    }

    @Test
    void aClientThatIsBehindIsAnsweredAtOnce() {
        String id = clients.createOrder("alice").path("id").asString();

        long started = System.nanoTime();
        Response response = clients.get("alice", "/api/orders/" + id + "/status?after=0&wait=PT10S");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().path("status").asString()).isEqualTo("PENDING");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void withoutWaitTheSameEndpointIsAShortPoll() {
        String id = clients.createOrder("alice").path("id").asString();

        assertThat(clients.get("alice", "/api/orders/" + id + "/status?after=1").status())
                .isEqualTo(304);
        assertThat(clients.get("alice", "/api/orders/" + id + "/status")
                        .json()
                        .path("version")
                        .asLong())
                .isEqualTo(1);
    }

    @Test
    void aWaitAboveTheConfiguredMaximumIsRefused() {
        String id = clients.createOrder("alice").path("id").asString();

        Response tooLong = clients.get("alice", "/api/orders/" + id + "/status?after=1&wait=PT11S");
        Response negative = clients.get("alice", "/api/orders/" + id + "/status?after=1&wait=-PT1S");
        Response garbage = clients.get("alice", "/api/orders/" + id + "/status?after=1&wait=soon");

        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.json().path("type").asString()).endsWith("/wait-out-of-range");
        assertThat(negative.status()).isEqualTo(400);
        assertThat(garbage.status()).isEqualTo(400);
        assertThat(garbage.header("Content-Type")).startsWith("application/problem+json");
    }
}
