package dev.protocollab.e2e.orders;

import static org.assertj.core.api.Assertions.assertThat;

import dev.protocollab.e2e.suite.Suite;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Two order-service processes on one database: an order created on the first is long-polled on the
 * second, and the poll is answered the moment the first one's fulfilment moves it, because the change
 * notification travels through PostgreSQL, not through either process's memory.
 */
class CrossInstanceLongPollIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static Suite suite;
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    @BeforeAll
    static void startTwoInstances() {
        suite = new Suite()
                .withOrderServices(
                        2,
                        Map.of(
                                "orders.fulfilment.confirm-after", "2s",
                                "orders.fulfilment.ship-after", "1h"));
    }

    @AfterAll
    static void stop() {
        if (suite != null) {
            suite.close();
        }
    }

    @Test
    void aLongPollOnOneInstanceIsAnsweredByAChangeOnTheOther() throws Exception {
        Suite.OrderService first = suite.orderServices().get(0);
        Suite.OrderService second = suite.orderServices().get(1);
        String token = suite.issuer().token("alice");
        // Either instance's fulfilment may confirm the order; the poll parked in the second must wake
        // whichever process made the change.
        HttpResponse<String> created = http.send(
                HttpRequest.newBuilder(URI.create(first.baseUrl() + "/api/orders"))
                        .timeout(Duration.ofSeconds(10))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json")
                        .POST(
                                HttpRequest.BodyPublishers.ofString(
                                        "{\"items\":[{\"sku\":\"BOOK-42\",\"quantity\":1,\"unitPrice\":\"9.99\"}],\"currency\":\"EUR\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).isEqualTo(201);
        String id = JSON.readTree(created.body()).path("id").asString();

        long started = System.nanoTime();
        HttpResponse<String> answer = http.send(
                HttpRequest.newBuilder(
                                URI.create(second.baseUrl() + "/api/orders/" + id + "/status?after=1&wait=PT20S"))
                        .timeout(Duration.ofSeconds(30))
                        .header("Authorization", "Bearer " + token)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        Duration waited = Duration.ofNanos(System.nanoTime() - started);

        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode status = JSON.readTree(answer.body());
        assertThat(status.path("status").asString()).isEqualTo("CONFIRMED");
        assertThat(status.path("version").asLong()).isEqualTo(2);
        assertThat(waited)
                .as("answered on the change (due after 2s), not at the 20s deadline")
                .isLessThan(Duration.ofSeconds(8));
    }
}
