package dev.protocollab.notification.live;

import dev.protocollab.notification.NotificationsProperties;
import dev.protocollab.notification.inbox.Inbox;
import dev.protocollab.notification.inbox.Notification;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;

/**
 * The connections and long polls this instance holds, by user. A notification stored by any instance
 * reaches here through the fan-out exchange ({@link LiveNotifications}) and is handed to the user's
 * subscribers on this instance only. Every {@code recheckInterval} the newest sequence number of each
 * connected user is read from the database, so a fan-out message lost while the broker connection was
 * down delays a notification by seconds instead of losing it.
 */
@Component
public class LocalSubscribers implements SchedulingConfigurer {

    static final List<String> CHANNELS = List.of("websocket", "sse", "long-poll");

    private static final Logger log = LoggerFactory.getLogger(LocalSubscribers.class);

    /** Ends a subscription. */
    public interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    private final Map<String, Set<Subscriber>> byUser = new ConcurrentHashMap<>();
    private final Inbox inbox;
    private final Duration recheckInterval;

    LocalSubscribers(Inbox inbox, NotificationsProperties properties, MeterRegistry meters) {
        this.inbox = inbox;
        this.recheckInterval = properties.live().recheckInterval();
        for (String channel : CHANNELS) {
            Gauge.builder("notifications.connections", this, s -> s.count(channel))
                    .tag("channel", channel)
                    .description("Open connections (WebSocket, SSE) and waiting long polls on this instance")
                    .register(meters);
        }
    }

    public Subscription subscribe(String userId, Subscriber subscriber) {
        byUser.computeIfAbsent(userId, id -> ConcurrentHashMap.newKeySet()).add(subscriber);
        return () -> byUser.computeIfPresent(userId, (id, set) -> {
            set.remove(subscriber);
            return set.isEmpty() ? null : set;
        });
    }

    void dispatch(Notification notification) {
        Set<Subscriber> subscribers = byUser.get(notification.userId());
        if (subscribers != null) {
            for (Subscriber subscriber : subscribers) {
                try {
                    subscriber.offer(notification);
                } catch (RuntimeException e) {
                    log.warn("A subscriber of {} failed: {}", notification.userId(), e.toString());
                }
            }
        }
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar tasks) {
        tasks.addFixedDelayTask(this::recheck, recheckInterval);
    }

    void recheck() {
        if (byUser.isEmpty()) {
            return;
        }
        try {
            inbox.lastSeqs(Set.copyOf(byUser.keySet())).forEach((user, lastSeq) -> {
                Set<Subscriber> subscribers = byUser.get(user);
                if (subscribers != null) {
                    subscribers.forEach(subscriber -> subscriber.caughtUpTo(lastSeq));
                }
            });
        } catch (RuntimeException e) {
            log.warn("Cannot recheck connected users' notifications: {}", e.toString());
        }
    }

    /** Subscribers on this instance of one channel. */
    public int count(String channel) {
        return byUser.values().stream()
                .flatMap(Set::stream)
                .filter(s -> s.channel().equals(channel))
                .mapToInt(s -> 1)
                .sum();
    }
}
