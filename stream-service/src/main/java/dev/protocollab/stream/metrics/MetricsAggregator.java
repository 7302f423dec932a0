package dev.protocollab.stream.metrics;

import dev.protocollab.stream.StreamProperties;
import dev.protocollab.stream.broadcast.Broadcaster;
import dev.protocollab.stream.broadcast.Topic;
import dev.protocollab.stream.events.OrderUpdate;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The {@code metrics} topic: order events are added to the current window as they arrive (a few field
 * updates under a short lock, on the AMQP listener thread), and a timer thread of its own closes the
 * window every {@code stream.metrics.window} and publishes it. No event-loop thread takes part.
 */
@Component
public class MetricsAggregator implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(MetricsAggregator.class);

    private final Broadcaster broadcaster;
    private final Duration window;
    private final Clock clock = Clock.systemUTC();
    private ScheduledExecutorService timer;

    // guarded by this
    private Instant windowStart;
    private long orders;
    private long events;
    private final Map<String, BigDecimal> revenue = new TreeMap<>();
    private final Map<String, Long> byStatus = new TreeMap<>();

    MetricsAggregator(Broadcaster broadcaster, StreamProperties properties) {
        this.broadcaster = broadcaster;
        this.window = properties.metrics().window();
    }

    public synchronized void record(OrderUpdate update) {
        events++;
        if (update.created()) {
            orders++;
            revenue.merge(update.currency(), update.totalAmount(), BigDecimal::add);
        }
        byStatus.merge(update.status(), 1L, Long::sum);
    }

    /** Closes the current window, starts the next, and publishes the closed one. */
    void publishWindow() {
        MetricsWindow closed;
        synchronized (this) {
            Instant end = clock.instant();
            double seconds = Math.max(Duration.between(windowStart, end).toNanos(), 1) / 1e9;
            Map<String, String> money = new TreeMap<>();
            revenue.forEach((currency, amount) -> money.put(currency, amount.toPlainString()));
            closed = new MetricsWindow(
                    windowStart, end, orders, orders / seconds, events, money, new TreeMap<>(byStatus));
            windowStart = end;
            orders = 0;
            events = 0;
            revenue.clear();
            byStatus.clear();
        }
        broadcaster.publish(Topic.METRICS, closed.windowStart().toString(), closed);
    }

    @Override
    public synchronized void start() {
        windowStart = clock.instant();
        timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("stream-metrics").daemon().factory());
        long period = window.toNanos();
        timer.scheduleAtFixedRate(
                () -> {
                    try {
                        publishWindow();
                    } catch (RuntimeException e) {
                        log.warn("Could not publish a metrics window", e);
                    }
                },
                period,
                period,
                TimeUnit.NANOSECONDS);
    }

    @Override
    public synchronized void stop() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return timer != null;
    }
}
