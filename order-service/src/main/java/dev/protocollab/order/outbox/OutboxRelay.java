package dev.protocollab.order.outbox;

import dev.protocollab.order.OrdersProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Publishes committed outbox rows to the {@code orders.events} exchange, oldest first, and marks them
 * published only after the broker confirmed them (publisher confirms).
 *
 * <p>At most one relay in the whole deployment publishes at a time: each batch runs under a
 * transaction-scoped PostgreSQL advisory lock. That is what keeps the events of one order in order even
 * with several order-service instances. A batch that fails (broker down, confirm timeout) commits
 * nothing and is retried with backoff, so delivery is at least once; consumers deduplicate on the
 * CloudEvent id.
 */
@Component
class OutboxRelay implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
    /** An arbitrary constant naming "the outbox relay" among advisory locks. */
    private static final long RELAY_LOCK = 0x6f72646572730001L;

    private static final Pattern TRACEPARENT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");

    private record Row(long id, UUID eventId, String type, String payload, String traceparent, Instant createdAt) {}

    private final JdbcClient jdbc;
    private final RabbitTemplate rabbit;
    private final TransactionTemplate transactions;
    private final ObjectProvider<Tracer> tracer;
    private final OrdersProperties.Outbox properties;
    private final Semaphore wakeUps = new Semaphore(0);
    private final Counter published;
    private final Counter failures;
    private final Timer lag;
    private volatile boolean running;
    private Thread thread;

    OutboxRelay(
            JdbcClient jdbc,
            RabbitTemplate rabbit,
            TransactionTemplate transactions,
            ObjectProvider<Tracer> tracer,
            OrdersProperties properties,
            MeterRegistry meters) {
        this.jdbc = jdbc;
        this.rabbit = rabbit;
        this.transactions = transactions;
        this.tracer = tracer;
        this.properties = properties.outbox();
        this.published = Counter.builder("outbox.published")
                .description("Events confirmed by the broker")
                .register(meters);
        this.failures = Counter.builder("outbox.publish.failures")
                .description("Batches that could not be published and will be retried")
                .register(meters);
        this.lag = Timer.builder("outbox.lag")
                .description("From commit of the change to the broker's confirm")
                .publishPercentiles(0.5, 0.99)
                .register(meters);
        Gauge.builder("outbox.pending", this, OutboxRelay::pending)
                .description("Committed events not yet confirmed by the broker")
                .register(meters);
    }

    /** Asks the relay to look for new rows now rather than at its next poll. */
    void wakeUp() {
        wakeUps.release();
    }

    /** Events committed but not yet confirmed by the broker. */
    long pending() {
        return jdbc.sql("SELECT count(*) FROM outbox WHERE published_at IS NULL")
                .query(Long.class)
                .single();
    }

    @Override
    public void start() {
        running = true;
        thread = Thread.ofVirtual().name("outbox-relay").start(this::run);
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

    private void run() {
        Duration backoff = properties.pollInterval();
        boolean failing = false;
        while (running) {
            Duration wait = properties.pollInterval();
            try {
                while (running && relayBatch() == properties.batchSize()) {
                    // a full batch: there may be more
                }
                if (failing) {
                    log.info("Outbox relay is publishing again");
                }
                failing = false;
                backoff = properties.pollInterval();
            } catch (RuntimeException e) {
                failures.increment();
                if (!failing) {
                    log.warn(
                            "Outbox relay cannot publish ({}); retrying with backoff up to {}",
                            e.getMessage(),
                            properties.maxBackoff());
                }
                failing = true;
                wait = backoff;
                backoff = backoff.multipliedBy(2).compareTo(properties.maxBackoff()) > 0
                        ? properties.maxBackoff()
                        : backoff.multipliedBy(2);
            }
            try {
                // While failing, a wake-up does not cut the backoff short: the broker is down for everyone.
                if (failing) {
                    Thread.sleep(wait);
                } else {
                    wakeUps.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS);
                }
                wakeUps.drainPermits();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Publishes one batch; returns how many rows it published. */
    int relayBatch() {
        Integer count = transactions.execute(tx -> {
            boolean ours = jdbc.sql("SELECT pg_try_advisory_xact_lock(:lock)")
                    .param("lock", RELAY_LOCK)
                    .query(Boolean.class)
                    .single();
            if (!ours) {
                return 0; // another instance is relaying right now
            }
            List<Row> rows = jdbc.sql("""
                            SELECT id, event_id, event_type, payload, traceparent, created_at
                              FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT :limit
                            """)
                    .param("limit", properties.batchSize())
                    .query((rs, n) -> new Row(
                            rs.getLong("id"),
                            rs.getObject("event_id", UUID.class),
                            rs.getString("event_type"),
                            rs.getString("payload"),
                            rs.getString("traceparent"),
                            rs.getObject("created_at", OffsetDateTime.class).toInstant()))
                    .list();
            if (rows.isEmpty()) {
                return 0;
            }
            publish(rows);
            jdbc.sql("UPDATE outbox SET published_at = now() WHERE id = ANY(:ids)")
                    .param("ids", rows.stream().map(Row::id).toArray(Long[]::new))
                    .update();
            Instant now = Instant.now();
            rows.forEach(row -> lag.record(Duration.between(row.createdAt(), now)));
            published.increment(rows.size());
            return rows.size();
        });
        return count == null ? 0 : count;
    }

    /**
     * Sends the batch on one channel, in order, then waits for the broker to confirm all of it. Each message
     * gets a producer span, a child of the request that wrote its row, covering the send and the confirm;
     * the message carries that span's context, so a trace reads request → publish → consume even though
     * the relay runs later, on its own thread.
     */
    private void publish(List<Row> rows) {
        List<Span> spans = new ArrayList<>(rows.size());
        try {
            rabbit.invoke(operations -> {
                for (Row row : rows) {
                    Span span = producerSpan(row);
                    if (span != null) {
                        spans.add(span);
                    }
                    operations.send(
                            properties.exchange(),
                            row.type(),
                            message(row, span == null ? row.traceparent() : traceparent(span.context())));
                }
                operations.waitForConfirmsOrDie(properties.confirmTimeout().toMillis());
                return null;
            });
        } catch (RuntimeException e) {
            spans.forEach(span -> span.error(e));
            throw e;
        } finally {
            spans.forEach(Span::end);
        }
    }

    /** A span continuing the stored trace context, or null when the row has none or tracing is off. */
    private Span producerSpan(Row row) {
        Tracer current = tracer.getIfAvailable();
        Matcher stored = row.traceparent() == null ? null : TRACEPARENT.matcher(row.traceparent());
        if (current == null || stored == null || !stored.matches()) {
            return null;
        }
        TraceContext parent = current.traceContextBuilder()
                .traceId(stored.group(1))
                .spanId(stored.group(2))
                .sampled((Integer.parseInt(stored.group(3), 16) & 1) == 1)
                .build();
        return current.spanBuilder()
                .setParent(parent)
                .kind(Span.Kind.PRODUCER)
                .name(properties.exchange() + " publish")
                .tag("messaging.system", "rabbitmq")
                .tag("messaging.operation", "publish")
                .tag("messaging.destination.name", properties.exchange())
                .tag("messaging.rabbitmq.destination.routing_key", row.type())
                .tag("messaging.message.id", row.eventId().toString())
                .start();
    }

    private static String traceparent(TraceContext context) {
        return "00-" + context.traceId() + "-" + context.spanId() + "-"
                + (Boolean.TRUE.equals(context.sampled()) ? "01" : "00");
    }

    private static Message message(Row row, String traceparent) {
        MessageProperties properties = new MessageProperties();
        properties.setContentType("application/cloudevents+json");
        properties.setContentEncoding(StandardCharsets.UTF_8.name());
        properties.setMessageId(row.eventId().toString());
        properties.setType(row.type());
        properties.setAppId("order-service");
        properties.setTimestamp(Date.from(row.createdAt()));
        properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        if (traceparent != null) {
            properties.setHeader("traceparent", traceparent);
        }
        return new Message(row.payload().getBytes(StandardCharsets.UTF_8), properties);
    }

    @Scheduled(fixedDelayString = "PT10M", initialDelayString = "PT1M")
    void forgetPublished() {
        jdbc.sql("DELETE FROM outbox WHERE published_at < :cutoff")
                .param("cutoff", OffsetDateTime.ofInstant(Instant.now().minus(properties.retention()), ZoneOffset.UTC))
                .update();
    }
}
