package dev.protocollab.notification.inbox;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
     * Stores one user's notifications under that user's next sequence numbers, in the order given, in one
     * statement per step however many there are; each result is the stored notification, or empty when
     * that event was already stored for this user (earlier, or earlier in this list). Runs in the caller's
     * transaction, so that whatever else the caller writes (webhook deliveries) commits with it.
     *
     * <p>The first statement locks the user's counter row until commit, so a concurrent store for the
     * same user, on any instance, waits here: numbers are committed in order, without gaps, and once the
     * lock is ours a concurrent store of the same event has either committed (and is seen by the check
     * below) or not begun. The insert carries no {@code ON CONFLICT}: under the lock nothing can conflict,
     * and should something still, the transaction fails and is retried rather than leave a gap.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public List<Optional<Notification>> appendAll(List<NewNotification> drafts) {
        if (drafts.isEmpty()) {
            return List.of();
        }
        String user = drafts.get(0).userId();
        if (drafts.stream().anyMatch(draft -> !draft.userId().equals(user))) {
            throw new IllegalArgumentException("one user's notifications at a time");
        }
        long last = jdbc.sql("""
                        INSERT INTO user_inbox (user_id, last_seq) VALUES (:user, 0)
                        ON CONFLICT (user_id) DO UPDATE SET last_seq = user_inbox.last_seq
                        RETURNING last_seq
                        """).param("user", user).query(Long.class).single();
        Set<UUID> seen = new HashSet<>(jdbc.sql("""
                        SELECT event_id FROM notifications
                         WHERE user_id = :user AND event_id = ANY(CAST(:events AS uuid[]))
                        """)
                .param("user", user)
                .param(
                        "events",
                        drafts.stream().map(d -> d.eventId().toString()).toArray(String[]::new))
                .query(UUID.class)
                .list());
        List<Optional<Notification>> results = new ArrayList<>(drafts.size());
        List<Notification> fresh = new ArrayList<>(drafts.size());
        long seq = last;
        for (NewNotification draft : drafts) {
            if (seen.add(draft.eventId())) {
                Notification notification = draft.withSeq(++seq);
                fresh.add(notification);
                results.add(Optional.of(notification));
            } else {
                results.add(Optional.empty());
            }
        }
        if (!fresh.isEmpty()) {
            insert(fresh);
            jdbc.sql("UPDATE user_inbox SET last_seq = :seq WHERE user_id = :user")
                    .param("seq", seq)
                    .param("user", user)
                    .update();
        }
        return results;
    }

    /** One multi-row INSERT: a round trip for the batch rather than one per notification. */
    private void insert(List<Notification> notifications) {
        StringBuilder sql = new StringBuilder("""
                INSERT INTO notifications (user_id, seq, event_id, type, order_id, status, previous_status,
                                           order_version, total, currency, items, enriched, occurred_at)
                VALUES
                """);
        Map<String, Object> params = new HashMap<>();
        for (int i = 0; i < notifications.size(); i++) {
            Notification n = notifications.get(i);
            sql.append(i == 0 ? "" : ",\n")
                    .append("(:user%1$d, :seq%1$d, :event%1$d, :type%1$d, :order%1$d, :status%1$d, :previous%1$d,"
                            .formatted(i))
                    .append(" :version%1$d, :total%1$d, :currency%1$d, CAST(:items%1$d AS jsonb), :enriched%1$d,"
                            .formatted(i))
                    .append(" :occurred%1$d)".formatted(i));
            params.put("user" + i, n.userId());
            params.put("seq" + i, n.seq());
            params.put("event" + i, n.eventId());
            params.put("type" + i, n.type());
            params.put("order" + i, n.orderId());
            params.put("status" + i, n.status());
            params.put("previous" + i, n.previousStatus());
            params.put("version" + i, n.orderVersion());
            params.put("total" + i, n.total());
            params.put("currency" + i, n.currency());
            params.put("items" + i, n.items() == null ? null : json.writeValueAsString(n.items()));
            params.put("enriched" + i, n.enriched());
            params.put("occurred" + i, OffsetDateTime.ofInstant(n.occurredAt(), ZoneOffset.UTC));
        }
        jdbc.sql(sql.toString()).params(params).update();
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
