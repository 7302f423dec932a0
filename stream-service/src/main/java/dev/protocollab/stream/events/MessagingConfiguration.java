package dev.protocollab.stream.events;

import dev.protocollab.stream.StreamProperties;
import org.springframework.amqp.core.AnonymousQueue;
import org.springframework.amqp.core.Base64UrlNamingStrategy;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Publish-subscribe: each stream-service instance binds its own queue to {@code orders.events}, so every
 * instance sees every order event (unlike notification-service's shared queue, where instances compete).
 * The queue is exclusive and auto-deleted: it exists while this instance is connected, and what happened
 * while it was away is not this broadcast's to replay. The exchange is declared here too (durable topic,
 * as order-service declares it) so stream-service may start first.
 */
@Configuration(proxyBeanMethods = false)
class MessagingConfiguration {

    @Bean
    TopicExchange ordersExchange(StreamProperties properties) {
        return new TopicExchange(properties.events().exchange(), true, false);
    }

    /** Named by prefix and a random suffix; Spring AMQP redeclares it under the same name on reconnect. */
    @Bean
    AnonymousQueue streamQueue(StreamProperties properties) {
        return new AnonymousQueue(
                new Base64UrlNamingStrategy(properties.events().queuePrefix()));
    }

    @Bean
    Declarables streamBinding(TopicExchange ordersExchange, AnonymousQueue streamQueue, StreamProperties properties) {
        return new Declarables(BindingBuilder.bind(streamQueue)
                .to(ordersExchange)
                .with(properties.events().bindingKey()));
    }
}
