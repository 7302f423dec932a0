package dev.protocollab.gateway.abuse;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/** Per-address connection limits and HTTP/2 flood limits at the edge ({@code gateway.abuse}, docs/adr/0307). */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AbuseProperties.class)
class AbuseConfiguration {

    @Bean
    AddressLimits addressLimits(AbuseProperties properties) {
        return new AddressLimits(properties, System::nanoTime);
    }

    @Bean
    AbuseMeters abuseMeters(ObjectProvider<MeterRegistry> registry, AddressLimits limits) {
        return new AbuseMeters(registry, limits);
    }

    /** Ordered first among the server customizers: the transport one keeps the server it sees for SO_REUSEPORT. */
    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    EdgeGuard edgeGuard(AbuseProperties properties, AddressLimits limits, AbuseMeters meters) {
        return new EdgeGuard(properties, limits, meters);
    }
}
