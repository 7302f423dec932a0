package dev.protocollab.stream;

import dev.protocollab.testsupport.JwtIssuerTestConfiguration;
import dev.protocollab.testsupport.RabbitTestConfiguration;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.annotation.Import;

/**
 * stream-service running for real: HTTP, gRPC and management on free ports, its own RabbitMQ virtual
 * host, tokens from a real JWKS. Heartbeats come every second here so tests can see them.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(
        webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.grpc.server.port=0",
            "management.server.port=0",
            "stream.sse.heartbeat=1s",
            "stream.sse.retry=2s",
        })
@Import({RabbitTestConfiguration.class, JwtIssuerTestConfiguration.class, TestClients.class})
public @interface IntegrationTest {}
