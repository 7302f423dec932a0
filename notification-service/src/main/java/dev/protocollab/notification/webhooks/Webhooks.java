package dev.protocollab.notification.webhooks;

import dev.protocollab.notification.inbox.Notification;
import java.net.URI;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/** Webhook registrations, the deliveries due to them, and the log of every attempt. */
@Repository
public class Webhooks {

    /** A delivery claimed for one attempt. */
    record Due(UUID id, UUID webhookId, String userId, long seq, int attempts) {}

    /** One delivery as the user sees it in the log. */
    record Delivery(
            UUID id,
            long seq,
            String status,
            int attempts,
            Instant createdAt,
            Instant nextAttemptAt,
            Instant deliveredAt,
            List<Attempt> log) {}

    record Attempt(int attempt, Instant attemptedAt, Integer responseStatus, String error, long durationMs) {}

    private final JdbcClient jdbc;

    Webhooks(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Webhook register(String userId, URI url, String secret) {
        Webhook webhook = new Webhook(UUID.randomUUID(), userId, url, secret, Instant.now());
        jdbc.sql("INSERT INTO webhooks (id, user_id, url, secret, created_at) VALUES (:id, :user, :url, :secret, :at)")
                .param("id", webhook.id())
                .param("user", userId)
                .param("url", url.toString())
                .param("secret", secret)
                .param("at", timestamp(webhook.createdAt()))
                .update();
        return webhook;
    }

    int count(String userId) {
        return jdbc.sql("SELECT count(*) FROM webhooks WHERE user_id = :user")
                .param("user", userId)
                .query(Integer.class)
                .single();
    }

    List<Webhook> list(String userId) {
        return jdbc.sql("SELECT * FROM webhooks WHERE user_id = :user ORDER BY created_at, id")
                .param("user", userId)
                .query(Webhooks::webhook)
                .list();
    }

    /** The webhook if it exists and belongs to {@code userId}; another user's is as absent as a missing one. */
    Optional<Webhook> find(String userId, UUID id) {
        return jdbc.sql("SELECT * FROM webhooks WHERE id = :id AND user_id = :user")
                .param("id", id)
                .param("user", userId)
                .query(Webhooks::webhook)
                .optional();
    }

    Optional<Webhook> find(UUID id) {
        return jdbc.sql("SELECT * FROM webhooks WHERE id = :id")
                .param("id", id)
                .query(Webhooks::webhook)
                .optional();
    }

    boolean delete(String userId, UUID id) {
        return jdbc.sql("DELETE FROM webhooks WHERE id = :id AND user_id = :user")
                        .param("id", id)
                        .param("user", userId)
                        .update()
                == 1;
    }

    /**
     * Makes these notifications, all of one user, due to every webhook that user has registered, in one
     * statement. Runs in the transaction that stores them: both commit, or neither does.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public int enqueue(String userId, List<Notification> notifications) {
        if (notifications.isEmpty()) {
            return 0;
        }
        return jdbc.sql("""
                        INSERT INTO webhook_deliveries (id, webhook_id, user_id, seq, status, next_attempt_at)
                        SELECT gen_random_uuid(), w.id, w.user_id, s.seq, 'PENDING', now()
                          FROM webhooks w CROSS JOIN unnest(CAST(:seqs AS bigint[])) AS s (seq)
                         WHERE w.user_id = :user
                        """)
                .param("seqs", notifications.stream().map(Notification::seq).toArray(Long[]::new))
                .param("user", userId)
                .update();
    }

    /**
     * Claims up to {@code limit} due deliveries for one attempt each, by pushing their next attempt
     * {@code lease} into the future. One statement, so no transaction stays open during the HTTP calls;
     * {@code SKIP LOCKED} keeps instances from claiming the same rows; and should this instance die
     * mid-attempt, the lease runs out and another instance tries again (at least once; receivers
     * deduplicate on {@code webhook-id}).
     */
    List<Due> claimDue(int limit, Duration lease) {
        return jdbc.sql("""
                        UPDATE webhook_deliveries SET next_attempt_at = now() + make_interval(secs => :lease)
                         WHERE id IN (SELECT id FROM webhook_deliveries
                                       WHERE status = 'PENDING' AND next_attempt_at <= now()
                                       ORDER BY next_attempt_at LIMIT :limit
                                       FOR UPDATE SKIP LOCKED)
                        RETURNING id, webhook_id, user_id, seq, attempts
                        """)
                .param("lease", lease.toMillis() / 1000.0)
                .param("limit", limit)
                .query((rs, n) -> new Due(
                        rs.getObject("id", UUID.class),
                        rs.getObject("webhook_id", UUID.class),
                        rs.getString("user_id"),
                        rs.getLong("seq"),
                        rs.getInt("attempts")))
                .list();
    }

    /**
     * Logs an attempt and moves the delivery on: delivered, due again at {@code retryAt}, or failed for
     * good when {@code retryAt} is null.
     */
    @Transactional
    void recordAttempt(Due due, Attempt attempt, boolean delivered, Instant retryAt) {
        jdbc.sql("""
                        INSERT INTO webhook_attempts (delivery_id, attempt, attempted_at, response_status, error, duration_ms)
                        VALUES (:delivery, :attempt, :at, :status, :error, :duration)
                        """)
                .param("delivery", due.id())
                .param("attempt", attempt.attempt())
                .param("at", timestamp(attempt.attemptedAt()))
                .param("status", attempt.responseStatus())
                .param("error", attempt.error())
                .param("duration", attempt.durationMs())
                .update();
        String status = delivered ? "DELIVERED" : retryAt == null ? "FAILED" : "PENDING";
        jdbc.sql("""
                        UPDATE webhook_deliveries
                           SET status = :status, attempts = :attempts, next_attempt_at = :next,
                               delivered_at = CASE WHEN :delivered THEN now() END
                         WHERE id = :id
                        """)
                .param("status", status)
                .param("attempts", attempt.attempt())
                .param("next", retryAt == null ? null : timestamp(retryAt))
                .param("delivered", delivered)
                .param("id", due.id())
                .update();
    }

    /** The newest deliveries to one webhook, each with every attempt made. */
    List<Delivery> deliveries(UUID webhookId, int limit) {
        List<Delivery> deliveries = jdbc.sql("""
                        SELECT * FROM webhook_deliveries WHERE webhook_id = :webhook
                         ORDER BY seq DESC LIMIT :limit
                        """)
                .param("webhook", webhookId)
                .param("limit", limit)
                .query((rs, n) -> new Delivery(
                        rs.getObject("id", UUID.class),
                        rs.getLong("seq"),
                        rs.getString("status"),
                        rs.getInt("attempts"),
                        instant(rs, "created_at"),
                        instant(rs, "next_attempt_at"),
                        instant(rs, "delivered_at"),
                        List.of()))
                .list();
        return deliveries.stream()
                .map(d -> new Delivery(
                        d.id(),
                        d.seq(),
                        d.status(),
                        d.attempts(),
                        d.createdAt(),
                        "PENDING".equals(d.status()) ? d.nextAttemptAt() : null,
                        d.deliveredAt(),
                        attempts(d.id())))
                .toList();
    }

    private List<Attempt> attempts(UUID deliveryId) {
        return jdbc.sql("SELECT * FROM webhook_attempts WHERE delivery_id = :id ORDER BY attempt")
                .param("id", deliveryId)
                .query((rs, n) -> new Attempt(
                        rs.getInt("attempt"),
                        instant(rs, "attempted_at"),
                        (Integer) rs.getObject("response_status"),
                        rs.getString("error"),
                        rs.getLong("duration_ms")))
                .list();
    }

    private static Webhook webhook(ResultSet rs, int row) throws SQLException {
        return new Webhook(
                rs.getObject("id", UUID.class),
                rs.getString("user_id"),
                URI.create(rs.getString("url")),
                rs.getString("secret"),
                instant(rs, "created_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    private static OffsetDateTime timestamp(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
