package dev.protocollab.order.fulfilment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.protocollab.order.OrderServiceApplication;
import dev.protocollab.order.outbox.EventQueue;
import dev.protocollab.testsupport.TcpProxy;
import dev.protocollab.testsupport.TestJwtIssuer;
import dev.protocollab.testsupport.TestPostgres;
import dev.protocollab.testsupport.TestRabbit;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The state that matters lives in PostgreSQL, not in the process: an order created by one process, whose
 * events that process never managed to publish, is fulfilled and fully published by the next one.
 */
class RestartIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void fulfilmentAndUnpublishedEventsSurviveARestart() throws Exception {
        try (TestPostgres.Database database = TestPostgres.newDatabase("order_restart");
                TestRabbit.Broker broker = TestRabbit.newVirtualHost("order-restart");
                TestJwtIssuer issuer = TestJwtIssuer.start();
                TcpProxy unreachableBroker = TcpProxy.startDisabled(broker.host(), broker.port());
                EventQueue events = new EventQueue(broker)) {

            String id;
            try (ConfigurableApplicationContext first =
                    start(database, broker, issuer, "127.0.0.1:" + unreachableBroker.port(), "3s")) {
                HttpResponse<String> created = http.send(
                        HttpRequest.newBuilder(uri(first, "/api/orders"))
                                .timeout(Duration.ofSeconds(10))
                                .header("Authorization", "Bearer " + issuer.token("alice"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"items\":[{\"sku\":\"BOOK-42\","
                                        + "\"quantity\":1,\"unitPrice\":\"9.99\"}],\"currency\":\"EUR\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(created.statusCode()).isEqualTo(201);
                id = JSON.readTree(created.body()).path("id").asString();
            } // the first process stops with the order PENDING and its event unpublished

            try (ConfigurableApplicationContext second =
                    start(database, broker, issuer, broker.host() + ":" + broker.port(), "100ms")) {
                List<Message> messages = events.take(4, Duration.ofSeconds(30));

                assertThat(messages)
                        .extracting(m -> JSON.readTree(new String(m.getBody(), StandardCharsets.UTF_8)))
                        .extracting(e -> e.path("data").path("status").asString())
                        .containsExactly("PENDING", "CONFIRMED", "SHIPPED", "DELIVERED");
                assertThat(messages)
                        .extracting(m -> JSON.readTree(m.getBody())
                                .path("data")
                                .path("orderId")
                                .asString())
                        .containsOnly(id);
                JsonNode order = JSON.readTree(http.send(
                                HttpRequest.newBuilder(uri(second, "/api/orders/" + id))
                                        .timeout(Duration.ofSeconds(10))
                                        .header("Authorization", "Bearer " + issuer.token("alice"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body());
                assertThat(order.path("status").asString()).isEqualTo("DELIVERED");
            }
        }
    }

    private static ConfigurableApplicationContext start(
            TestPostgres.Database database,
            TestRabbit.Broker broker,
            TestJwtIssuer issuer,
            String brokerAddress,
            String stepDelay) {
        // As command-line arguments, so they win over the environment placeholders in application.yml.
        return new SpringApplicationBuilder(OrderServiceApplication.class)
                .run(
                        "--server.port=0",
                        "--management.server.port=0",
                        "--spring.grpc.server.port=0",
                        "--spring.datasource.url=" + database.jdbcUrl(),
                        "--spring.datasource.username=" + database.username(),
                        "--spring.datasource.password=" + database.password(),
                        "--spring.rabbitmq.addresses=" + brokerAddress,
                        "--spring.rabbitmq.username=" + broker.username(),
                        "--spring.rabbitmq.password=" + broker.password(),
                        "--spring.rabbitmq.virtual-host=" + broker.virtualHost(),
                        "--spring.security.oauth2.resourceserver.jwt.jwk-set-uri=" + issuer.jwksUri(),
                        "--orders.fulfilment.confirm-after=" + stepDelay,
                        "--orders.fulfilment.ship-after=" + stepDelay,
                        "--orders.fulfilment.deliver-after=" + stepDelay,
                        "--orders.fulfilment.poll-interval=50ms",
                        "--orders.outbox.poll-interval=100ms",
                        "--orders.outbox.max-backoff=500ms");
    }

    private static URI uri(ConfigurableApplicationContext context, String path) {
        return URI.create("http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port") + path);
    }
}
