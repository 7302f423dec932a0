package dev.protocollab.notification;

import dev.protocollab.testsupport.TestJwtIssuer;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistrar;

/**
 * Stands in for order-service, a remote service: a real gRPC server implementing {@code GetOrder} on a
 * free port, behind a proxy a test can cut. The test issuer registers this service's OAuth2 client, so
 * its tokens come through the real client-credentials grant.
 */
@TestConfiguration(proxyBeanMethods = false)
public class OrderServiceStandIn {

    public static final String CLIENT_ID = "notification-service";
    public static final String CLIENT_SECRET = "test-client-secret";

    @Bean(destroyMethod = "close")
    FakeOrderService fakeOrderService(TestJwtIssuer issuer) {
        issuer.registerClient(CLIENT_ID, CLIENT_SECRET, "orders:read");
        return FakeOrderService.start(issuer.jwksUri());
    }

    @Bean
    DynamicPropertyRegistrar orderServiceProperties(FakeOrderService orderService, TestJwtIssuer issuer) {
        return registry -> {
            registry.add("spring.grpc.client.channels.order-service.address", orderService::address);
            registry.add(
                    "spring.security.oauth2.client.provider.protocol-lab.token-uri",
                    () -> issuer.tokenUri().toString());
            registry.add("spring.security.oauth2.client.registration.order-service.client-id", () -> CLIENT_ID);
            registry.add("spring.security.oauth2.client.registration.order-service.client-secret", () -> CLIENT_SECRET);
        };
    }
}
