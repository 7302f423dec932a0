package dev.protocollab.notification.inbox;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Each user's notifications in PostgreSQL, numbered 1, 2, 3… per user. Every read a client makes (a poll,
 * an SSE replay, a WebSocket resume) is "what comes after sequence N for this user".
 */
@Repository
public class Inbox {

    private static final TypeReference<List<Notification.Item>> ITEMS = new TypeReference<>() {};

    private final JdbcClient jdbc;
    private final JsonMapper json;

    Inbox(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /**
     * Stores the notification under the user's next sequence number, or returns empty when this event was
     * already stored for this user. Runs in the caller's transaction, so that whatever else the caller
     * writes (webhook deliveries) commits with it.
     *
     * <p>The first statement locks the user's counter row until commit, so a concurrent store for the
     * same user, on any instance, waits here: number N is committed before N+1 is taken, and once the
     * lock is ours a concurrent store of the same event has either committed (and is seen below) or not
     * begun; the insert itself skips an event already stored for this user ({@code ON CONFLICT DO
     * NOTHING} on the unique key (event, user)), so the check costs no extra round trip while the lock is
     * held, and a duplicate leaves the counter as it was.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public Optional<Notification> append(NewNotification draft) {
        long last =
                jdbc.sql("""
                        INSERT INTO user_inbox (user_id, last_seq) VALUES (:user, 0)
                        ON CONFLICT (user_id) DO UPDATE SET last_seq = user_inbox.last_seq
                        RETURNING last_seq
                        """).param("user", draft.userId()).query(Long.class).single();
        long seq = last + 1;
        int inserted = jdbc.sql("""
                        INSERT INTO notifications (user_id, seq, event_id, type, order_id, status, previous_status,
                                                   order_version, total, currency, items, enriched, occurred_at)
                        VALUES (:user, :seq, :event, :type, :order, :status, :previous,
                                :version, :total, :currency, CAST(:items AS jsonb), :enriched, :occurred)
                        ON CONFLICT ON CONSTRAINT one_notification_per_event_and_user DO NOTHING
                        """)
                .param("user", draft.userId())
                .param("seq", seq)
                .param("event", draft.eventId())
                .param("type", draft.type())
                .param("order", draft.orderId())
                .param("status", draft.status())
                .param("previous", draft.previousStatus())
                .param("version", draft.orderVersion())
                .param("total", draft.total())
                .param("currency", draft.currency())
                .param("items", draft.items() == null ? null : json.writeValueAsString(draft.items()))
                .param("enriched", draft.enriched())
                .param("occurred", OffsetDateTime.ofInstant(draft.occurredAt(), ZoneOffset.UTC))
                .update();
        if (inserted == 0) {
            return Optional.empty();
        }
        jdbc.sql("UPDATE user_inbox SET last_seq = :seq WHERE user_id = :user")
                .param("seq", seq)
                .param("user", draft.userId())
                .update();
        return Optional.of(draft.withSeq(seq));
    }

    /** Whether this event already became a notification for this user: saves enriching a redelivery. */
    public boolean contains(UUID eventId, String userId) {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM notifications WHERE event_id = :event AND user_id = :user)")
                .param("event", eventId)
                .param("user", userId)
                .query(Boolean.class)
                .single();
    }

    /** The user's notifications with a sequence number greater than {@code after}, oldest first. */
    public List<Notification> after(String userId, long after, int limit) {
        return jdbc.sql("""
                        SELECT * FROM notifications WHERE user_id = :user AND seq > :after
                         ORDER BY seq LIMIT :limit
                        """)
                .param("user", userId)
                .param("after", after)
                .param("limit", limit)
                .query(this::notification)
                .list();
    }

    public Optional<Notification> find(String userId, long seq) {
        return jdbc.sql("SELECT * FROM notifications WHERE user_id = :user AND seq = :seq")
                .param("user", userId)
                .param("seq", seq)
                .query(this::notification)
                .optional();
    }

    /** The user's newest sequence number; 0 for a user who has none. */
    public long lastSeq(String userId) {
        return jdbc.sql("SELECT last_seq FROM user_inbox WHERE user_id = :user")
                .param("user", userId)
                .query(Long.class)
                .optional()
                .orElse(0L);
    }

    /** The newest sequence number of each of these users who has any. */
    public Map<String, Long> lastSeqs(Collection<String> userIds) {
        Map<String, Long> seqs = new HashMap<>();
        if (userIds.isEmpty()) {
            return seqs;
        }
        jdbc.sql("SELECT user_id, last_seq FROM user_inbox WHERE user_id = ANY(:users)")
                .param("users", userIds.toArray(String[]::new))
                .query((ResultSet rs) -> {
                    seqs.put(rs.getString("user_id"), rs.getLong("last_seq"));
                });
        return seqs;
    }

    /**
     * Records that the user's client has shown everything up to {@code seq}. Acknowledgements only move
     * forward; one for a notification that does not exist is refused (false).
     */
    public boolean acknowledge(String userId, long seq) {
        return jdbc.sql("""
                        UPDATE user_inbox SET acked_seq = GREATEST(acked_seq, :seq)
                         WHERE user_id = :user AND :seq <= last_seq
                        """).param("user", userId).param("seq", seq).update() == 1;
    }

    /** Where a client that names no position resumes: after what the user last acknowledged. */
    public long acknowledged(String userId) {
        return jdbc.sql("SELECT acked_seq FROM user_inbox WHERE user_id = :user")
                .param("user", userId)
                .query(Long.class)
                .optional()
                .orElse(0L);
    }

    private Notification notification(ResultSet rs, int row) throws SQLException {
        String items = rs.getString("items");
        return new Notification(
                rs.getString("user_id"),
                rs.getLong("seq"),
                rs.getObject("event_id", UUID.class),
                rs.getString("type"),
                rs.getObject("order_id", UUID.class),
                rs.getString("status"),
                rs.getString("previous_status"),
                rs.getLong("order_version"),
                rs.getString("total"),
                rs.getString("currency"),
                items == null ? null : json.readValue(items, ITEMS),
                rs.getBoolean("enriched"),
                instant(rs, "occurred_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }
}
