package dev.protocollab.order.outbox;

import dev.protocollab.testsupport.TestRabbit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * A consumer of {@code orders.events} for tests, connected straight to the broker (never through a proxy
 * a test may cut), reading from its own queue bound to every order event.
 */
public final class EventQueue implements AutoCloseable {

    private final CachingConnectionFactory connections;
    private final RabbitAdmin admin;
    private final RabbitTemplate rabbit;
    private final String queue = "test-events-" + UUID.randomUUID();

    public EventQueue(TestRabbit.Broker broker) {
        connections = new CachingConnectionFactory(broker.host(), broker.port());
        connections.setUsername(broker.username());
        connections.setPassword(broker.password());
        connections.setVirtualHost(broker.virtualHost());
        admin = new RabbitAdmin(connections);
        TopicExchange exchange = new TopicExchange("orders.events", true, false);
        Queue events = QueueBuilder.nonDurable(queue).build();
        admin.declareExchange(exchange);
        admin.declareQueue(events);
        admin.declareBinding(BindingBuilder.bind(events).to(exchange).with("order.#"));
        rabbit = new RabbitTemplate(connections);
    }

    /** Waits up to {@code timeout} for the next event. */
    public Message next(Duration timeout) {
        return rabbit.receive(queue, timeout.toMillis());
    }

    /** Collects {@code count} events, failing if they do not all come within {@code timeout}. */
    public List<Message> take(int count, Duration timeout) {
        List<Message> messages = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (messages.size() < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("got " + messages.size() + " of " + count + " events in " + timeout);
            }
            Message message = rabbit.receive(queue, Math.max(1, left / 1_000_000));
            if (message != null) {
                messages.add(message);
            }
        }
        return messages;
    }

    @Override
    public void close() {
        admin.deleteQueue(queue);
        connections.destroy();
    }
}
