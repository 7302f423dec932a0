package dev.protocollab.notification.sse;

import dev.protocollab.notification.NotificationsProperties;
import dev.protocollab.notification.inbox.Inbox;
import dev.protocollab.notification.inbox.Notification;
import dev.protocollab.notification.inbox.NotificationView;
import dev.protocollab.notification.live.Connection;
import dev.protocollab.notification.live.Connections;
import dev.protocollab.notification.security.User;
import dev.protocollab.notification.web.InvalidPositionException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Server-Sent Events: {@code GET /api/notifications/stream}. Each notification is an event named
 * {@code notification} whose {@code id:} is its sequence number, so a browser's {@code EventSource}
 * reconnects with {@code Last-Event-ID} and is sent exactly what it missed. The first line sets
 * {@code retry:}; a comment every {@code heartbeat} keeps proxies from closing an idle stream.
 *
 * <p>Where a stream starts: after {@code Last-Event-ID} when the client sends it (a reconnect), else
 * after {@code ?after=}, else at the live end (only what is stored from now on). It ends after
 * {@code maxDuration} or when the token that opened it expires, whichever is first; the client then
 * reconnects (with a fresh token) from where it was.
 *
 * <p>The request's thread is released as soon as the stream is open (Servlet async); writes happen on
 * the connection's own virtual thread when there is something to send.
 */
@RestController
class NotificationStreamController implements SchedulingConfigurer {

    private final Connections connections;
    private final Inbox inbox;
    private final NotificationsProperties.Sse settings;
    private final ExecutorService writers;
    private final Set<SseEmitter> open = ConcurrentHashMap.newKeySet();

    NotificationStreamController(
            Connections connections, Inbox inbox, NotificationsProperties properties, ExecutorService deliveryThreads) {
        this.connections = connections;
        this.inbox = inbox;
        this.settings = properties.sse();
        this.writers = deliveryThreads;
    }

    @GetMapping("/api/notifications/stream")
    ResponseEntity<SseEmitter> stream(
            User user,
            @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId,
            @RequestParam(required = false) String after) {
        long position;
        if (lastEventId != null && !lastEventId.isBlank()) {
            position = InvalidPositionException.parse("Last-Event-ID", lastEventId);
        } else if (after != null) {
            position = InvalidPositionException.parse("after", after);
        } else {
            position = inbox.lastSeq(user.id());
        }
        Duration untilExpiry = Duration.between(Instant.now(), user.tokenExpiresAt());
        Duration lifetime = untilExpiry.compareTo(settings.maxDuration()) < 0 ? untilExpiry : settings.maxDuration();
        SseEmitter emitter = new SseEmitter(Math.max(1, lifetime.toMillis()));
        try {
            // Sent at once, so the client sees the stream open (and learns its retry delay) before any event.
            emitter.send(SseEmitter.event()
                    .reconnectTime(settings.retry().toMillis())
                    .comment("connected"));
        } catch (IOException e) {
            emitter.completeWithError(e);
            return ResponseEntity.ok(emitter);
        }
        Connection connection = connections.open(user.id(), position, "sse", new Connection.Sink() {
            @Override
            public void send(Notification notification) throws IOException {
                emitter.send(SseEmitter.event()
                        .id(Long.toString(notification.seq()))
                        .name("notification")
                        .data(NotificationView.of(notification), MediaType.APPLICATION_JSON));
            }

            @Override
            public void broken(Exception cause) {
                emitter.completeWithError(cause);
            }
        });
        open.add(emitter);
        Runnable closed = () -> {
            open.remove(emitter);
            connection.close();
        };
        emitter.onCompletion(closed);
        emitter.onError(failure -> closed.run());
        emitter.onTimeout(emitter::complete);
        return ResponseEntity.ok()
                .cacheControl(CacheControl.noStore())
                // Tells nginx-style proxies not to buffer the stream.
                .header("X-Accel-Buffering", "no")
                .body(emitter);
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar tasks) {
        tasks.addFixedRateTask(this::heartbeat, settings.heartbeat());
    }

    /**
     * Each heartbeat is written on a virtual thread of its own: a write to a client that stopped reading
     * may block, and must not hold up the scheduler that also pings WebSockets and rechecks users.
     */
    void heartbeat() {
        for (SseEmitter emitter : open) {
            writers.execute(() -> {
                try {
                    emitter.send(SseEmitter.event().comment("heartbeat"));
                } catch (IOException | IllegalStateException e) {
                    open.remove(emitter);
                    emitter.completeWithError(e);
                }
            });
        }
    }
}
