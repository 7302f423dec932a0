package dev.protocollab.order;

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
 * order-service running for real: HTTP and gRPC on free ports, its own fresh PostgreSQL database and
 * RabbitMQ virtual host, tokens from a real JWKS. Fulfilment is slowed to an hour so orders stay where a
 * test puts them; tests that need it to move override the delays. Pools are small because cached contexts
 * all stay connected.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(
        webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.grpc.server.port=0",
            "management.server.port=0",
            "orders.fulfilment.confirm-after=1h",
            "orders.fulfilment.ship-after=1h",
            "orders.fulfilment.deliver-after=1h",
            "orders.fulfilment.poll-interval=50ms",
            "orders.outbox.poll-interval=200ms",
            "orders.outbox.max-backoff=1s",
            "orders.long-poll.max-wait=10s",
            // Spring keeps every test context alive; at Hikari's 20 idle connections each, six contexts
            // and a few other builds exhaust a shared PostgreSQL's 100 connections.
            "spring.datasource.hikari.maximum-pool-size=5",
            "spring.datasource.hikari.minimum-idle=1",
            "spring.datasource.hikari.idle-timeout=10000", // milliseconds: Hikari's own setter
        })
@Import({
    PostgresTestConfiguration.class,
    RabbitTestConfiguration.class,
    JwtIssuerTestConfiguration.class,
    TestClients.class
})
public @interface IntegrationTest {}
