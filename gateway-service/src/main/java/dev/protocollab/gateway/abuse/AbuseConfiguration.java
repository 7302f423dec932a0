package dev.protocollab.gateway.abuse;

import dev.protocollab.gateway.GatewayProperties;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/** Per-address connection limits and HTTP/2 flood limits at the edge ({@code gateway.abuse}, docs/adr/0306). */
@Configuration(proxyBeanMethods = false)
class AbuseConfiguration {

    @Bean
    AddressLimits addressLimits(GatewayProperties properties) {
        return new AddressLimits(properties.abuse(), System::nanoTime);
    }

    @Bean
    AbuseMeters abuseMeters(MeterRegistry registry, AddressLimits limits) {
        return new AbuseMeters(registry, limits);
    }

    /** Ordered first among the server customizers: the transport one keeps the server it sees for SO_REUSEPORT. */
    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    EdgeGuard edgeGuard(GatewayProperties properties, AddressLimits limits, AbuseMeters meters) {
        return new EdgeGuard(properties.abuse(), limits, meters);
    }
}
