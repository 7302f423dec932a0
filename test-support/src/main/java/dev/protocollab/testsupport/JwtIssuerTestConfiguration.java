package dev.protocollab.testsupport;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistrar;

/**
 * Import into a Spring Boot test of a resource server: starts a {@link TestJwtIssuer} and points the
 * service's standard {@code jwk-set-uri} at it. Inject the issuer to mint tokens.
 */
@TestConfiguration(proxyBeanMethods = false)
public class JwtIssuerTestConfiguration {

    @Bean(destroyMethod = "close")
    TestJwtIssuer testJwtIssuer() {
        return TestJwtIssuer.start();
    }

    @Bean
    DynamicPropertyRegistrar testJwtIssuerProperties(TestJwtIssuer issuer) {
        return registry -> registry.add(
                "spring.security.oauth2.resourceserver.jwt.jwk-set-uri",
                () -> issuer.jwksUri().toString());
    }
}
