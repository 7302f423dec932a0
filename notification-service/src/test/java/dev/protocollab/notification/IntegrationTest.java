package dev.protocollab.notification;

import dev.protocollab.testsupport.JwtIssuerTestConfiguration;
import dev.protocollab.testsupport.PostgresTestConfiguration;
import dev.protocollab.testsupport.RabbitTestConfiguration;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.annotation.Import;

/**
 * notification-service running for real: HTTP on a free port, its own fresh PostgreSQL database and
 * RabbitMQ virtual host, tokens from a real JWKS and client-credentials endpoint, and a real gRPC server
 * standing in for order-service. Timings are shortened so retries, backoffs, pings and breakers play out
 * in a second or two. Every test class shares this one context; tests keep apart by using their own
 * user names.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(
        webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = {
            "management.server.port=0",
            // The machine's PostgreSQL is shared by every module's tests (max_connections 100).
            "spring.datasource.hikari.maximum-pool-size=5",
            "notifications.consumer.initial-backoff=50ms",
            "notifications.consumer.max-backoff=200ms",
            "notifications.live.recheck-interval=1s",
            "notifications.order-service.deadline=500ms",
            "notifications.order-service.retry.initial-backoff=20ms",
            "notifications.order-service.circuit-breaker.sliding-window-size=4",
            "notifications.order-service.circuit-breaker.minimum-number-of-calls=4",
            "notifications.order-service.circuit-breaker.wait-in-open-state=1s",
            "notifications.order-service.circuit-breaker.permitted-calls-in-half-open-state=1",
            "notifications.polling.max-wait=10s",
            "notifications.sse.heartbeat=500ms",
            // Loose enough for a loaded 2-core machine, where a pong can be late by a second.
            "notifications.websocket.ping-interval=500ms",
            "notifications.websocket.idle-timeout=3s",
            "notifications.webhooks.allowed-hosts=127.0.0.1,localhost",
            "notifications.webhooks.allowed-schemes=http,https",
            "notifications.webhooks.allow-loopback=true",
            "notifications.webhooks.initial-backoff=300ms",
            "notifications.webhooks.poll-interval=200ms",
            "notifications.webhooks.request-timeout=2s",
        })
@Import({
    PostgresTestConfiguration.class,
    RabbitTestConfiguration.class,
    JwtIssuerTestConfiguration.class,
    OrderServiceStandIn.class,
    TestClients.class,
    OrderEvents.class
})
public @interface IntegrationTest {}
