package dev.protocollab.notification.live;

import dev.protocollab.notification.NotificationsProperties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.springframework.amqp.core.AnonymousQueue;
import org.springframework.amqp.core.Base64UrlNamingStrategy;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.ExchangeBuilder;
import org.springframework.amqp.core.FanoutExchange;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class LiveConfiguration {

    /** This instance's queue on the fan-out exchange: exclusive and auto-delete, it lives as long as we do. */
    @Bean
    AnonymousQueue liveNotificationsQueue(NotificationsProperties properties) {
        return new AnonymousQueue(new Base64UrlNamingStrategy(properties.live().queuePrefix()));
    }

    @Bean
    Declarables liveNotificationsExchange(AnonymousQueue liveNotificationsQueue, NotificationsProperties properties) {
        FanoutExchange exchange = ExchangeBuilder.fanoutExchange(
                        properties.live().exchange())
                .durable(true)
                .build();
        return new Declarables(
                exchange, BindingBuilder.bind(liveNotificationsQueue).to(exchange));
    }

    /**
     * Where connections write: one virtual thread per connection while it has something to send, so a
     * client that reads slowly parks its own thread and no one else's.
     */
    @Bean(destroyMethod = "shutdownNow")
    ExecutorService deliveryThreads() {
        return Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("delivery-", 0).factory());
    }
}
