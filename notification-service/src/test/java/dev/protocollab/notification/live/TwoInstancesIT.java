package dev.protocollab.notification.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.protocollab.notification.IntegrationTest;
import dev.protocollab.notification.NotificationApplication;
import dev.protocollab.notification.OrderEvents;
import dev.protocollab.notification.TestClients;
import dev.protocollab.notification.WebSocketClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.rabbit.listener.RabbitListenerEndpointRegistry;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Two instances, as bin/suite runs them: the test's own context (A) and a second application context (B)
 * in the same JVM with its own ports, on the same database and the same RabbitMQ virtual host.
 */
@IntegrationTest
class TwoInstancesIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String LISTENER = "order-events";

    private static ConfigurableApplicationContext instanceB;

    @Autowired
    TestClients a;

    @Autowired
    Environment environment;

    @Autowired
    OrderEvents events;

    @Autowired
    RabbitListenerEndpointRegistry listenersOfA;

    @Autowired
    JdbcClient jdbc;

    TestClients b;

    @BeforeEach
    void startInstanceB() {
        if (instanceB == null) {
            // As command-line arguments: they outrank application.yml, as the test context's own settings do.
            instanceB = new SpringApplicationBuilder(NotificationApplication.class)
                    .run(sameInfrastructureAs(environment).entrySet().stream()
                            .map(p -> "--" + p.getKey() + "=" + p.getValue())
                            .toArray(String[]::new));
        }
        b = TestClients.of(
                Integer.parseInt(instanceB.getEnvironment().getProperty("local.server.port")),
                Integer.parseInt(instanceB.getEnvironment().getProperty("local.management.port")),
                a.issuer());
    }

    @AfterAll
    static void stopInstanceB() {
        if (instanceB != null) {
            instanceB.close();
            instanceB = null;
        }
    }

    @Test
    void aWebSocketClientOnAReceivesANotificationWhoseEventInstanceBConsumed() {
        String user = user();
        double consumedByB = b.metric("notifications_consumed_total", "outcome=\"stored-");
        listenersOfA.getListenerContainer(LISTENER).stop(); // only B consumes order events now
        try (WebSocketClient onA = a.webSocket(user, "")) {
            events.publishStatusChanged(user, UUID.randomUUID(), "SHIPPED", "CONFIRMED", 3);

            JsonNode message = onA.next(WAIT);

            assertThat(message.path("notification").path("seq").asLong()).isEqualTo(1);
            assertThat(message.path("notification").path("status").asString()).isEqualTo("SHIPPED");
            assertThat(b.metric("notifications_consumed_total", "outcome=\"stored-"))
                    .isEqualTo(consumedByB + 1);
        } finally {
            listenersOfA.getListenerContainer(LISTENER).start();
        }
    }

    @Test
    void aUserConnectedToEitherInstanceReceivesEveryNotificationExactlyOnce() throws InterruptedException {
        String user = user();
        try (WebSocketClient onA = a.webSocket(user, "");
                WebSocketClient onB = b.webSocket(user, "")) {
            for (int i = 0; i < 6; i++) {
                events.publishStatusChanged(user, UUID.randomUUID(), "SHIPPED", "CONFIRMED", 3);
            }

            for (WebSocketClient client : List.of(onA, onB)) {
                assertThat(client.take(6, WAIT))
                        .extracting(m -> m.path("notification").path("seq").asLong())
                        .containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
            }
            assertThat(onA.poll(Duration.ofMillis(500))).isNull();
            assertThat(onB.poll(Duration.ofMillis(100))).isNull();
        }
    }

    @Test
    void anEventConsumedByBothInstancesBecomesOneNotification() {
        String user = user();
        UUID eventId = UUID.randomUUID();
        ObjectNode event = OrderEvents.statusChanged(eventId, user, UUID.randomUUID(), "SHIPPED", "CONFIRMED", 3);
        double consumedByA = a.metric("notifications_consumed_total");
        double consumedByB = b.metric("notifications_consumed_total");

        // Redelivered copies spread over both instances' consumers, which race to store them.
        int copies = 20;
        for (int i = 0; i < copies; i++) {
            events.publish(event);
        }

        await().atMost(WAIT)
                .until(() -> a.metric("notifications_consumed_total")
                                - consumedByA
                                + b.metric("notifications_consumed_total")
                                - consumedByB
                        >= copies);
        assertThat(a.metric("notifications_consumed_total"))
                .as("A consumed some")
                .isGreaterThan(consumedByA);
        assertThat(b.metric("notifications_consumed_total"))
                .as("B consumed some")
                .isGreaterThan(consumedByB);
        assertThat(jdbc.sql("SELECT count(*) FROM notifications WHERE event_id = :id")
                        .param("id", eventId)
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
        assertThat(a.inbox(user)).hasSize(1);
        assertThat(b.inbox(user)).hasSize(1);
    }

    /** What instance A was started with, except its ports. */
    private static Map<String, Object> sameInfrastructureAs(Environment a) {
        Map<String, Object> properties = new HashMap<>();
        for (String name : List.of(
                "spring.datasource.url",
                "spring.datasource.username",
                "spring.datasource.password",
                "spring.datasource.hikari.maximum-pool-size",
                "spring.rabbitmq.host",
                "spring.rabbitmq.port",
                "spring.rabbitmq.username",
                "spring.rabbitmq.password",
                "spring.rabbitmq.virtual-host",
                "spring.security.oauth2.resourceserver.jwt.jwk-set-uri",
                "spring.security.oauth2.client.provider.protocol-lab.token-uri",
                "spring.security.oauth2.client.registration.order-service.client-id",
                "spring.security.oauth2.client.registration.order-service.client-secret",
                "spring.grpc.client.channels.order-service.address",
                "notifications.live.recheck-interval",
                "notifications.websocket.ping-interval",
                "notifications.websocket.idle-timeout")) {
            properties.put(name, a.getRequiredProperty(name));
        }
        properties.put("server.port", "0");
        properties.put("management.server.port", "0");
        properties.put("spring.main.banner-mode", "off");
        return properties;
    }

    private static String user() {
        return "two-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
