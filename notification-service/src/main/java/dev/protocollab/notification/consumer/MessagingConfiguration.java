package dev.protocollab.notification.consumer;

import dev.protocollab.notification.NotificationsProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.aopalliance.intercept.MethodInterceptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.ExchangeBuilder;
import org.springframework.amqp.core.FanoutExchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.amqp.rabbit.config.RetryInterceptorBuilder;
import org.springframework.amqp.rabbit.config.SimpleRabbitListenerContainerFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.retry.RejectAndDontRequeueRecoverer;
import org.springframework.boot.amqp.autoconfigure.SimpleRabbitListenerContainerFactoryConfigurer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The queues this service consumes order events from.
 *
 * <p>{@code orders.events} is order-service's exchange; declaring it here too (idempotently, with the
 * same type and durability) lets this service start before order-service. Our queue is durable and
 * shared by every instance, so instances compete for events and an event is consumed once in the
 * common case; a redelivery is deduplicated by the database. A message whose processing fails is
 * retried a bounded number of times with exponential backoff, then rejected without requeue, which
 * dead-letters it; a poison message (one that cannot be read at all) is dead-lettered at once. Either
 * way the queue moves on: one bad message never blocks the ones behind it.
 */
@Configuration(proxyBeanMethods = false)
class MessagingConfiguration {

    static final String CONTAINER_FACTORY = "orderEventsContainerFactory";

    private static final Logger log = LoggerFactory.getLogger(MessagingConfiguration.class);

    @Bean
    Declarables orderEventQueues(NotificationsProperties properties) {
        NotificationsProperties.Consumer consumer = properties.consumer();
        TopicExchange events =
                ExchangeBuilder.topicExchange(consumer.exchange()).durable(true).build();
        FanoutExchange deadLetters = ExchangeBuilder.fanoutExchange(consumer.deadLetterExchange())
                .durable(true)
                .build();
        Queue queue = QueueBuilder.durable(consumer.queue())
                .deadLetterExchange(consumer.deadLetterExchange())
                .build();
        Queue deadLetterQueue = QueueBuilder.durable(consumer.deadLetterQueue()).build();
        return new Declarables(
                events,
                deadLetters,
                queue,
                deadLetterQueue,
                binding(queue, events, OrderEvent.CREATED),
                binding(queue, events, OrderEvent.STATUS_CHANGED),
                BindingBuilder.bind(deadLetterQueue).to(deadLetters));
    }

    private static Binding binding(Queue queue, TopicExchange exchange, String routingKey) {
        return BindingBuilder.bind(queue).to(exchange).with(routingKey);
    }

    /**
     * Boot's settings (observation on, so a listener continues the trace in the message's
     * {@code traceparent}) plus our retry policy, for the order-event listener only.
     */
    @Bean(CONTAINER_FACTORY)
    SimpleRabbitListenerContainerFactory orderEventsContainerFactory(
            SimpleRabbitListenerContainerFactoryConfigurer configurer,
            ConnectionFactory connectionFactory,
            NotificationsProperties properties,
            MeterRegistry meters) {
        NotificationsProperties.Consumer consumer = properties.consumer();
        SimpleRabbitListenerContainerFactory factory = new SimpleRabbitListenerContainerFactory();
        configurer.configure(factory, connectionFactory);
        factory.setConcurrentConsumers(consumer.concurrency());
        factory.setMaxConcurrentConsumers(consumer.concurrency());
        factory.setPrefetchCount(consumer.prefetch());
        factory.setDefaultRequeueRejected(false);
        factory.setAdviceChain(retry(consumer, meters));
        return factory;
    }

    private static MethodInterceptor retry(NotificationsProperties.Consumer consumer, MeterRegistry meters) {
        Counter deadLettered = Counter.builder("notifications.consumer.dead-lettered")
                .description("Order events sent to the dead-letter queue")
                .register(meters);
        return RetryInterceptorBuilder.stateless()
                .configureRetryPolicy(policy -> policy.maxRetries(consumer.maxRetries())
                        .delay(consumer.initialBackoff())
                        .multiplier(consumer.backoffMultiplier())
                        .maxDelay(consumer.maxBackoff())
                        .predicate(failure -> !isPoison(failure)))
                .recoverer(new RejectAndDontRequeueRecoverer() {
                    @Override
                    public void recover(org.springframework.amqp.core.Message message, Throwable cause) {
                        deadLettered.increment();
                        log.warn(
                                "Dead-lettering order event {}: {}",
                                message.getMessageProperties().getMessageId(),
                                rootMessage(cause));
                        super.recover(message, cause);
                    }
                })
                .build();
    }

    static boolean isPoison(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof PoisonMessageException) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage();
    }
}
