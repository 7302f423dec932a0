package dev.protocollab.notification.live;

import dev.protocollab.notification.NotificationsProperties;
import dev.protocollab.notification.inbox.Notification;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Live fan-out between instances. The instance that stores a notification publishes it to a fanout
 * exchange; every instance reads the exchange through its own exclusive, auto-delete queue and hands the
 * notification to the connections it holds for that user. So a user connected to any instance hears of
 * an event consumed by any other.
 *
 * <p>The fan-out is a wake-up, not the record: connections deliver by sequence number and fill any gap
 * from the database, so a lost or duplicated fan-out message never loses or repeats a notification.
 */
@Component
public class LiveNotifications {

    private static final Logger log = LoggerFactory.getLogger(LiveNotifications.class);

    private final RabbitTemplate rabbit;
    private final JsonMapper json;
    private final LocalSubscribers subscribers;
    private final String exchange;
    private final Counter publishFailures;

    LiveNotifications(
            RabbitTemplate rabbit,
            JsonMapper json,
            LocalSubscribers subscribers,
            NotificationsProperties properties,
            MeterRegistry meters) {
        this.rabbit = rabbit;
        this.json = json;
        this.subscribers = subscribers;
        this.exchange = properties.live().exchange();
        this.publishFailures = Counter.builder("notifications.live.publish.failures")
                .description("Stored notifications whose fan-out could not be published (caught up by recheck)")
                .register(meters);
    }

    /** Tells every instance, this one included, that {@code notification} was stored. */
    public void publish(Notification notification) {
        MessageProperties properties = new MessageProperties();
        properties.setContentType(MessageProperties.CONTENT_TYPE_JSON);
        properties.setDeliveryMode(MessageDeliveryMode.NON_PERSISTENT);
        Message message = new Message(json.writeValueAsBytes(notification), properties);
        try {
            rabbit.send(exchange, "", message);
        } catch (AmqpException e) {
            publishFailures.increment();
            log.warn("Cannot fan out notification {}#{}: {}", notification.userId(), notification.seq(), e.toString());
        }
    }

    @RabbitListener(queues = "#{liveNotificationsQueue.name}")
    void onNotification(Message message) {
        Notification notification;
        try {
            notification = json.readValue(message.getBody(), Notification.class);
        } catch (RuntimeException e) {
            log.warn("Ignoring unreadable fan-out message: {}", new String(message.getBody(), StandardCharsets.UTF_8));
            return;
        }
        subscribers.dispatch(notification);
    }
}
