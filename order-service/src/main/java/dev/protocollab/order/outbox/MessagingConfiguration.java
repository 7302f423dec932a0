package dev.protocollab.order.outbox;

import dev.protocollab.order.OrdersProperties;
import org.springframework.amqp.core.ExchangeBuilder;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * order-service owns the {@code orders.events} topic exchange and declares it; consumers declare and bind
 * their own queues (notification-service a durable shared one, stream-service one per instance).
 */
@Configuration(proxyBeanMethods = false)
class MessagingConfiguration {

    @Bean
    TopicExchange ordersEvents(OrdersProperties properties) {
        return ExchangeBuilder.topicExchange(properties.outbox().exchange())
                .durable(true)
                .build();
    }
}
