package dev.protocollab.notification.websocket;

import dev.protocollab.notification.NotificationsProperties;
import dev.protocollab.notification.inbox.Inbox;
import dev.protocollab.notification.inbox.NotificationView;
import dev.protocollab.notification.live.Connection;
import dev.protocollab.notification.live.Connections;
import dev.protocollab.notification.security.User;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PingMessage;
import org.springframework.web.socket.PongMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;
import org.springframework.web.socket.handler.TextWebSocketHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code /ws/notifications[?after={seq}]}: the server sends {@code {"type":"notification","notification":
 * {…}}} for every notification after {@code after} (or after the user's last acknowledgement when the
 * client names no position), then each new one; the client sends {@code {"type":"ack","seq":n}} once it
 * has shown {@code n}.
 *
 * <p>Close codes: 1001 after {@code idleTimeout} without hearing from the client (not even a pong to our
 * pings); 1003 for a binary frame; 1008 for a message that is not a valid ack, and when the token that
 * opened the connection expires; 1009 (by the container) for a frame over {@code maxMessageSize}; 1011
 * when a client reads so slowly that {@code sendBufferLimit} fills. Whatever the close, nothing is lost:
 * the client reconnects with {@code ?after=} its last sequence.
 */
@Component
class NotificationWebSocketHandler extends TextWebSocketHandler implements SchedulingConfigurer {

    private static final Logger log = LoggerFactory.getLogger(NotificationWebSocketHandler.class);
    private static final String EXPECTED = "expected {\"type\":\"ack\",\"seq\":<sequence number>}";

    /** One open connection. */
    private record Session(WebSocketSession socket, User user, Connection notifications, LastHeard heard) {}

    private static final class LastHeard {
        private volatile long nanos = System.nanoTime();

        void now() {
            nanos = System.nanoTime();
        }

        Duration ago() {
            return Duration.ofNanos(System.nanoTime() - nanos);
        }
    }

    private record Outbound(String type, NotificationView notification) {}

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Connections connections;
    private final Inbox inbox;
    private final JsonMapper json;
    private final NotificationsProperties.WebSocket settings;
    private final ExecutorService writers;

    NotificationWebSocketHandler(
            Connections connections,
            Inbox inbox,
            JsonMapper json,
            NotificationsProperties properties,
            ExecutorService deliveryThreads) {
        this.connections = connections;
        this.inbox = inbox;
        this.json = json;
        this.settings = properties.websocket();
        this.writers = deliveryThreads;
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession raw) {
        User user = (User) raw.getAttributes().get(HandshakeParameters.USER);
        Long after = (Long) raw.getAttributes().get(HandshakeParameters.AFTER);
        // Sends from our writer and pings from the scheduler may overlap: the decorator serialises them,
        // and bounds what may queue up behind a slow reader.
        WebSocketSession socket = new ConcurrentWebSocketSessionDecorator(
                raw,
                (int) settings.sendTimeLimit().toMillis(),
                (int) settings.sendBufferLimit().toBytes(),
                ConcurrentWebSocketSessionDecorator.OverflowStrategy.TERMINATE);
        long resumeAfter = after != null ? after : inbox.acknowledged(user.id());
        Connection notifications = connections.open(user.id(), resumeAfter, "websocket", new Connection.Sink() {
            @Override
            public void send(dev.protocollab.notification.inbox.Notification notification) throws IOException {
                socket.sendMessage(new TextMessage(
                        json.writeValueAsString(new Outbound("notification", NotificationView.of(notification)))));
            }

            @Override
            public void broken(Exception cause) {
                log.debug("WebSocket {} of {} broke: {}", raw.getId(), user.id(), cause.toString());
                close(socket, CloseStatus.SESSION_NOT_RELIABLE);
            }
        });
        sessions.put(raw.getId(), new Session(socket, user, notifications, new LastHeard()));
    }

    @Override
    protected void handleTextMessage(WebSocketSession raw, TextMessage message) {
        Session session = sessions.get(raw.getId());
        if (session == null) {
            return;
        }
        session.heard().now();
        JsonNode ack;
        try {
            ack = json.readTree(message.getPayload());
        } catch (JacksonException e) {
            close(session.socket(), CloseStatus.POLICY_VIOLATION.withReason("not JSON; " + EXPECTED));
            return;
        }
        JsonNode seq = ack.path("seq");
        if (!"ack".equals(ack.path("type").asString(null)) || !seq.canConvertToExactIntegral() || seq.asLong() < 0) {
            close(session.socket(), CloseStatus.POLICY_VIOLATION.withReason(EXPECTED));
            return;
        }
        if (seq.asLong() > session.notifications().lastSent()) {
            close(
                    session.socket(),
                    CloseStatus.POLICY_VIOLATION.withReason("ack of " + seq.asLong() + ", which was never sent"));
            return;
        }
        inbox.acknowledge(session.user().id(), seq.asLong());
    }

    @Override
    protected void handlePongMessage(WebSocketSession raw, PongMessage message) {
        Session session = sessions.get(raw.getId());
        if (session != null) {
            session.heard().now();
        }
    }

    @Override
    public void afterConnectionClosed(WebSocketSession raw, CloseStatus status) {
        Session session = sessions.remove(raw.getId());
        if (session != null) {
            session.notifications().close();
        }
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar tasks) {
        tasks.addFixedRateTask(this::pingOrClose, settings.pingInterval());
    }

    /** Pings every connection, and closes those that went quiet or whose token has expired. */
    void pingOrClose() {
        Instant now = Instant.now();
        for (Session session : sessions.values()) {
            if (session.heard().ago().compareTo(settings.idleTimeout()) > 0) {
                close(session.socket(), CloseStatus.GOING_AWAY.withReason("idle for " + settings.idleTimeout()));
            } else if (!now.isBefore(session.user().tokenExpiresAt())) {
                close(session.socket(), CloseStatus.POLICY_VIOLATION.withReason("token expired"));
            } else {
                // On a virtual thread: a send to a client that stopped reading may block the sender.
                writers.execute(() -> {
                    try {
                        session.socket().sendMessage(new PingMessage());
                    } catch (IOException | RuntimeException e) {
                        close(session.socket(), CloseStatus.SESSION_NOT_RELIABLE);
                    }
                });
            }
        }
    }

    private static void close(WebSocketSession socket, CloseStatus status) {
        try {
            socket.close(status);
        } catch (IOException | RuntimeException e) {
            // already closing: afterConnectionClosed cleans up either way
        }
    }
}
