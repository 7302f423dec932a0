package dev.protocollab.gateway.routing;

import static dev.protocollab.gateway.TestClients.uniqueUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.protocollab.gateway.Backends;
import dev.protocollab.gateway.IntegrationTest;
import dev.protocollab.gateway.TestClients;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Two order-service instances behind one route: both serve, one may die, and a dead service trips the breaker. */
@IntegrationTest
class LoadBalancingIT {

    @Autowired
    TestClients clients;

    private final Backends backends = Backends.get();

    @AfterEach
    void bothInstancesRunAgain() {
        backends.ordersA().start();
        backends.ordersB().start();
        // the breaker half-opens after its (test) wait and closes on the first successes
        String token = clients.token(uniqueUser("recovery"));
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(200))
                .until(() ->
                        clients.get(clients.http("/api/orders/echo"), token).statusCode() == 200);
    }

    @Test
    void bothInstancesReceiveTraffic() {
        String token = clients.token(uniqueUser("lb"));

        // an instance restarted by a previous test may still sit out its (1 s test) ejection
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            int beforeA = backends.ordersA().requests();
            int beforeB = backends.ordersB().requests();
            IntStream.range(0, 6)
                    .forEach(i -> assertThat(clients.get(clients.http("/api/orders/echo"), token)
                                    .statusCode())
                            .isEqualTo(200));
            assertThat(backends.ordersA().requests() - beforeA).isGreaterThanOrEqualTo(2);
            assertThat(backends.ordersB().requests() - beforeB).isGreaterThanOrEqualTo(2);
        });
    }

    @Test
    void killingOneInstanceKeepsIdempotentRequestsSucceeding() {
        String alice = uniqueUser("alice");
        String order = backends.newOrder(alice);
        String token = clients.token(alice);
        backends.ordersB().stop();

        for (int i = 0; i < 8; i++) {
            HttpResponse<String> response = clients.get(clients.http("/api/orders/" + order), token);
            assertThat(response.statusCode()).as("request %d", i).isEqualTo(200);
            assertThat(response.body()).contains("\"instance\":\"orders-a\"");
        }
    }

    @Test
    void concurrentRequestsAllSucceedWhileOneInstanceIsDead() throws Exception {
        // four users, twelve reads each: well inside each user's rate-limit burst
        List<String> users =
                IntStream.range(0, 4).mapToObj(i -> uniqueUser("crowd")).toList();
        List<String> orders = users.stream().map(backends::newOrder).toList();
        List<String> tokens = users.stream().map(clients::token).toList();
        backends.ordersB().stop();

        // concurrent requests share the round robin: without outlier ejection some requests' retries keep
        // landing on the dead instance (about one in eight failed when tried by hand)
        try (ExecutorService pool = Executors.newFixedThreadPool(6)) {
            List<Future<Integer>> statuses = IntStream.range(0, 48)
                    .mapToObj(i -> pool.submit(() -> clients.get(
                                    clients.http("/api/orders/" + orders.get(i % 4)), tokens.get(i % 4))
                            .statusCode()))
                    .toList();
            for (Future<Integer> status : statuses) {
                assertThat(status.get(30, TimeUnit.SECONDS)).isEqualTo(200);
            }
        }
    }

    @Test
    void aHungServiceIsCutOffAtTheResponseTimeoutWithAProblem() {
        long start = System.nanoTime();
        HttpResponse<String> response =
                clients.get(clients.http("/api/orders/slow"), clients.token(uniqueUser("impatient")));

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(TestClients.json(response.body()).path("detail").asString()).contains("did not answer in time");
        // three attempts (GET is retried twice) of the 2 s test response timeout, not the backend's 30 s
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(12));
    }

    @Test
    void aLongPollOutlastsTheOrdinaryResponseTimeout() {
        HttpResponse<String> response = clients.get(
                clients.http("/api/orders/" + backends.newOrder("poller") + "/status?after=1&wait=PT3S"),
                clients.token("poller"));

        assertThat(response.statusCode()).isEqualTo(304);
    }

    @Test
    void whenEveryInstanceIsDownTheBreakerOpensAndAnswers503ProblemsFast() {
        String token = clients.token(uniqueUser("breaker"));
        backends.ordersA().stop();
        backends.ordersB().stop();

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            HttpResponse<String> response = clients.get(clients.http("/api/orders/echo"), token);
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(TestClients.json(response.body()).path("detail").asString())
                    .contains("circuit breaker is open");
        });
        long start = System.nanoTime();
        HttpResponse<String> fast = clients.get(clients.http("/api/orders/echo"), token);
        assertThat(fast.statusCode()).isEqualTo(503);
        assertThat(fast.headers().firstValue("Retry-After")).isPresent();
        assertThat(TestClients.json(fast.body()).path("instance").asString())
                .as("the problem names the path the client asked for, not the internal fallback")
                .isEqualTo("/api/orders/echo");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }
}
