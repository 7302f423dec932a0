package dev.protocollab.order.changes;

import dev.protocollab.order.orders.OrderStatus;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Tells the long polls and gRPC watches held by this instance that an order changed, whichever instance
 * made the change.
 *
 * <p>The change is announced with PostgreSQL {@code NOTIFY} inside the transaction that makes it, so it
 * is delivered exactly when, and only if, that transaction commits. Each instance keeps one connection
 * that {@code LISTEN}s and hands each notification to the local subscribers of that order. When the
 * listening connection is lost, notifications sent meanwhile are lost too, so on reconnecting every
 * subscriber is told to re-read ({@link Listener#resync()}).
 */
@Component
public class OrderChanges implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(OrderChanges.class);
    private static final String CHANNEL = "order_changes";
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    /** A subscriber; called on the listener thread, so it must hand work off rather than block. */
    public interface Listener {

        void changed(OrderChange change);

        /** Notifications may have been missed: read the current state again. */
        default void resync() {}
    }

    /** Ends a subscription. */
    public interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    private final DataSource dataSource;
    private final JdbcClient jdbc;
    private final Map<UUID, Set<Listener>> listeners = new ConcurrentHashMap<>();
    private volatile boolean running;
    private volatile boolean listening;
    private Thread thread;

    OrderChanges(DataSource dataSource, JdbcClient jdbc, MeterRegistry meters) {
        this.dataSource = dataSource;
        this.jdbc = jdbc;
        Gauge.builder(
                        "orders.changes.subscribers",
                        listeners,
                        l -> l.values().stream().mapToInt(Set::size).sum())
                .description("Long polls and gRPC watches waiting for an order change on this instance")
                .register(meters);
        Gauge.builder("orders.changes.listening", this, c -> c.listening ? 1 : 0)
                .description("1 while the LISTEN connection is up")
                .register(meters);
    }

    /** Announces a change; must run inside the transaction that makes it. */
    public void announce(UUID orderId, OrderStatus status, long version, Instant updatedAt) {
        jdbc.sql("SELECT pg_notify('" + CHANNEL + "', :payload)")
                .param("payload", new OrderChange(orderId, status, version, updatedAt).encode())
                .query((rs, n) -> null)
                .list();
    }

    public Subscription subscribe(UUID orderId, Listener listener) {
        listeners.computeIfAbsent(orderId, id -> ConcurrentHashMap.newKeySet()).add(listener);
        return () -> listeners.computeIfPresent(orderId, (id, set) -> {
            set.remove(listener);
            return set.isEmpty() ? null : set;
        });
    }

    /** The number of subscriptions currently held; what tests and metrics use to see nothing leaks. */
    public int subscriberCount() {
        return listeners.values().stream().mapToInt(Set::size).sum();
    }

    @Override
    public void start() {
        running = true;
        thread = Thread.ofPlatform().name("order-changes-listener").daemon().start(this::listen);
    }

    @Override
    public void stop() {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void listen() {
        Duration backoff = Duration.ofMillis(100);
        while (running) {
            try (Connection connection = dataSource.getConnection();
                    Statement statement = connection.createStatement()) {
                statement.execute("LISTEN " + CHANNEL);
                PGConnection pg = connection.unwrap(PGConnection.class);
                listening = true;
                backoff = Duration.ofMillis(100);
                resyncAll();
                while (running) {
                    PGNotification[] notifications = pg.getNotifications((int) POLL.toMillis());
                    if (notifications != null) {
                        for (PGNotification notification : notifications) {
                            dispatch(notification.getParameter());
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                listening = false;
                if (!running) {
                    return;
                }
                log.warn("Lost the LISTEN connection ({}); reconnecting in {} ms", e.getMessage(), backoff.toMillis());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    return;
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            } finally {
                listening = false;
            }
        }
    }

    private void dispatch(String payload) {
        OrderChange change;
        try {
            change = OrderChange.decode(payload);
        } catch (RuntimeException e) {
            log.warn("Ignoring malformed change notification '{}'", payload);
            return;
        }
        Set<Listener> subscribers = listeners.get(change.orderId());
        if (subscribers != null) {
            for (Listener listener : subscribers) {
                try {
                    listener.changed(change);
                } catch (RuntimeException e) {
                    log.warn("A subscriber of order {} failed: {}", change.orderId(), e.toString());
                }
            }
        }
    }

    private void resyncAll() {
        listeners.values().forEach(set -> set.forEach(Listener::resync));
    }
}
