package dev.protocollab.notification.live;

import dev.protocollab.notification.NotificationsProperties;
import dev.protocollab.notification.inbox.Inbox;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ExecutorService;
import org.springframework.stereotype.Component;

/** Opens {@link Connection}s for the WebSocket and SSE endpoints. */
@Component
public class Connections {

    private final Inbox inbox;
    private final LocalSubscribers subscribers;
    private final ExecutorService writers;
    private final MeterRegistry meters;
    private final NotificationsProperties.Live settings;

    Connections(
            Inbox inbox,
            LocalSubscribers subscribers,
            ExecutorService deliveryThreads,
            MeterRegistry meters,
            NotificationsProperties properties) {
        this.inbox = inbox;
        this.subscribers = subscribers;
        this.writers = deliveryThreads;
        this.meters = meters;
        this.settings = properties.live();
    }

    /**
     * Starts delivering {@code userId}'s notifications after {@code after} to {@code sink}: first those
     * already stored, then each new one as it is stored, until {@link Connection#close()}.
     */
    public Connection open(String userId, long after, String channel, Connection.Sink sink) {
        Connection connection = new Connection(
                userId,
                after,
                channel,
                sink,
                inbox,
                writers,
                deliveries(meters, channel),
                settings.maxBufferedPerConnection(),
                settings.replayBatchSize());
        connection.open(subscribers);
        return connection;
    }

    /** {@code notifications.deliveries{channel=…}}: notifications handed to clients, per delivery channel. */
    public static Counter deliveries(MeterRegistry meters, String channel) {
        return Counter.builder("notifications.deliveries")
                .tag("channel", channel)
                .description("Notifications delivered to clients, by channel")
                .register(meters);
    }
}
