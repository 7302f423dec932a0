package dev.protocollab.testsupport;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistrar;

/**
 * Import into a Spring Boot test to run it against its own virtual host on a real RabbitMQ, so exchange
 * and queue names stay the production ones. The virtual host is deleted when the test context closes.
 */
@TestConfiguration(proxyBeanMethods = false)
public class RabbitTestConfiguration {

    @Bean(destroyMethod = "close")
    TestRabbit.Broker testBroker(Environment environment) {
        return TestRabbit.newVirtualHost(environment.getProperty("spring.application.name", "test") + "-it");
    }

    @Bean
    DynamicPropertyRegistrar testBrokerProperties(TestRabbit.Broker broker) {
        return registry -> {
            registry.add("spring.rabbitmq.host", broker::host);
            registry.add("spring.rabbitmq.port", broker::port);
            registry.add("spring.rabbitmq.username", broker::username);
            registry.add("spring.rabbitmq.password", broker::password);
            registry.add("spring.rabbitmq.virtual-host", broker::virtualHost);
        };
    }
}
