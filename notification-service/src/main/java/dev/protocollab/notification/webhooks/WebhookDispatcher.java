package dev.protocollab.notification.webhooks;

import dev.protocollab.notification.NotificationsProperties;
import dev.protocollab.notification.inbox.Inbox;
import dev.protocollab.notification.inbox.Notification;
import dev.protocollab.notification.inbox.NotificationView;
import dev.protocollab.notification.live.Connections;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sends due webhook deliveries as signed POSTs (Standard Webhooks) and retries failures with exponential
 * backoff. Deliveries live in the database, written with the notification, so they survive restarts and
 * any instance may send them; each attempt is logged for the user to read.
 *
 * <p>A delivery succeeds on any 2xx. Anything else (a status, a timeout, a refused connection, a target
 * that now resolves somewhere it must not) is a failed attempt; after {@code maxAttempts} the delivery is
 * marked failed. Every attempt of one delivery carries the same {@code webhook-id}, so a receiver that
 * got an attempt we did not see succeed can recognise the retry.
 */
@Component
public class WebhookDispatcher implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);

    /** The Standard Webhooks payload: the event type, when it happened, and the notification. */
    record Payload(String type, Instant timestamp, NotificationView data) {}

    private final Webhooks webhooks;
    private final Inbox inbox;
    private final WebhookTargets targets;
    private final JsonMapper json;
    private final NotificationsProperties.Webhooks settings;
    private final HttpClient http;
    private final Duration lease;
    private final Semaphore wakeUps = new Semaphore(0);
    private final ExecutorService senders = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("webhook-", 0).factory());
    private final Counter delivered;
    private final MeterRegistry meters;
    private volatile boolean running;
    private Thread thread;

    WebhookDispatcher(
            Webhooks webhooks,
            Inbox inbox,
            WebhookTargets targets,
            JsonMapper json,
            NotificationsProperties properties,
            MeterRegistry meters) {
        this.webhooks = webhooks;
        this.inbox = inbox;
        this.targets = targets;
        this.json = json;
        this.settings = properties.webhooks();
        this.http = HttpClient.newBuilder()
                .connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER) // a redirect could point anywhere
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        this.lease = settings.connectTimeout().plus(settings.requestTimeout()).plusSeconds(5);
        this.delivered = Connections.deliveries(meters, "webhook");
        this.meters = meters;
    }

    /** Asks the dispatcher to look for due deliveries now rather than at its next poll. */
    public void wakeUp() {
        wakeUps.release();
    }

    @Override
    public void start() {
        running = true;
        thread = Thread.ofVirtual().name("webhook-dispatcher").start(this::run);
    }

    @Override
    public void stop() {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
        senders.shutdownNow();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void run() {
        while (running) {
            Duration wait = settings.pollInterval();
            try {
                while (running && dispatchBatch() == settings.batchSize()) {
                    // a full batch: there may be more due
                }
            } catch (RuntimeException e) {
                log.warn("Webhook dispatcher cannot read due deliveries: {}", e.toString());
                wait = wait.multipliedBy(5);
            } catch (InterruptedException e) {
                return;
            }
            try {
                wakeUps.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS);
                wakeUps.drainPermits();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Claims one batch and attempts each delivery in parallel; returns how many it claimed. */
    int dispatchBatch() throws InterruptedException {
        List<Webhooks.Due> due = webhooks.claimDue(settings.batchSize(), lease);
        if (!due.isEmpty()) {
            senders.invokeAll(due.stream()
                    .map(d -> (Callable<Void>) () -> {
                        attempt(d);
                        return null;
                    })
                    .toList());
        }
        return due.size();
    }

    private void attempt(Webhooks.Due due) {
        Optional<Webhook> webhook = webhooks.find(due.webhookId());
        Optional<Notification> notification = inbox.find(due.userId(), due.seq());
        if (webhook.isEmpty() || notification.isEmpty()) {
            return; // unregistered meanwhile: its deliveries went with it
        }
        int attempt = due.attempts() + 1;
        Instant started = Instant.now();
        Integer status = null;
        String error = null;
        try {
            status = send(webhook.get(), due, notification.get());
            if (status / 100 != 2) {
                error = "the receiver answered " + status;
            }
        } catch (WebhookTargetRejectedException e) {
            error = "target refused: " + e.getMessage();
        } catch (HttpTimeoutException e) {
            error = "timed out: " + e.getMessage();
        } catch (IOException e) {
            error = "connection failed: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return; // shutting down: the lease runs out and someone tries again
        }
        boolean success = error == null;
        long duration = Duration.between(started, Instant.now()).toMillis();
        Instant retryAt = success || attempt >= settings.maxAttempts()
                ? null
                : Instant.now().plus(backoff(attempt));
        webhooks.recordAttempt(
                due, new Webhooks.Attempt(attempt, started, status, truncate(error), duration), success, retryAt);
        meters.counter("notifications.webhook.attempts", "outcome", success ? "delivered" : "failed")
                .increment();
        if (success) {
            delivered.increment();
        } else if (retryAt == null) {
            log.info("Webhook delivery {} failed for good after {} attempts: {}", due.id(), attempt, error);
        }
    }

    private int send(Webhook webhook, Webhooks.Due due, Notification notification)
            throws IOException, InterruptedException {
        URI target = targets.check(webhook.url().toString()); // again: DNS may have changed since registration
        String body = json.writeValueAsString(
                new Payload(notification.type(), notification.occurredAt(), NotificationView.of(notification)));
        String id = "msg_" + due.id();
        long timestamp = Instant.now().getEpochSecond();
        HttpRequest request = HttpRequest.newBuilder(target)
                .timeout(settings.requestTimeout())
                .header("Content-Type", "application/json")
                .header("User-Agent", "protocol-lab-notification-service")
                .header("webhook-id", id)
                .header("webhook-timestamp", Long.toString(timestamp))
                .header("webhook-signature", WebhookSignature.sign(webhook.secret(), id, timestamp, body))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** initial × 2^(attempt-1), at most {@code maxBackoff}, plus up to 10 % so retries do not march in step. */
    Duration backoff(int attempt) {
        Duration base = settings.initialBackoff().multipliedBy(1L << Math.min(attempt - 1, 30));
        if (base.compareTo(settings.maxBackoff()) > 0 || base.isNegative()) {
            base = settings.maxBackoff();
        }
        return base.plusMillis(ThreadLocalRandom.current().nextLong(base.toMillis() / 10 + 1));
    }

    private static String truncate(String error) {
        return error == null || error.length() <= 500 ? error : error.substring(0, 500);
    }
}
