package dev.protocollab.gateway;

import dev.protocollab.testsupport.RedisTestConfiguration;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.ActiveProfiles;

/**
 * The gateway running for real on free ports (cleartext, TLS, UDP for HTTP/3, management), with the
 * demo token endpoint, a real Redis for rate limits, and its certificate and signing key in a folder of
 * the build. The upstreams are small servers each test class starts ({@link Backends}) and names through
 * {@code gateway.upstreams.*}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(
        webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = {
            "management.server.port=0",
            "gateway.tls.port=0",
            "gateway.tls.generated-directory=target/test-pki/certs",
            "gateway.issuer.key-directory=target/test-pki/keys",
            "gateway.issuer.clients.notification-service.secret=test-secret",
            "gateway.grpc.deadline-grace=500ms",
            "spring.cloud.gateway.server.webflux.httpclient.response-timeout=2s",
            "gateway.upstream-ejection=1s",
            "STREAM_RATE_LIMIT_RATE=1",
            "STREAM_RATE_LIMIT_BURST=3",
            "resilience4j.circuitbreaker.configs.default.wait-duration-in-open-state=1s",
            "resilience4j.circuitbreaker.configs.default.minimum-number-of-calls=4",
        })
@ActiveProfiles("demo")
@Import({RedisTestConfiguration.class, Backends.Configuration.class, TestClients.class})
public @interface IntegrationTest {}
