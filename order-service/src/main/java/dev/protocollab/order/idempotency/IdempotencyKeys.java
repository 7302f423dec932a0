package dev.protocollab.order.idempotency;

import dev.protocollab.order.OrdersProperties;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Idempotency keys, as in the IETF draft "The Idempotency-Key HTTP Header Field": a key is scoped to the
 * customer who sent it and remembered for {@code orders.idempotency.retention}.
 */
@Component
public class IdempotencyKeys {

    private static final Logger log = LoggerFactory.getLogger(IdempotencyKeys.class);

    public static final int MAX_LENGTH = 200;

    /**
     * A key is 1 to {@value #MAX_LENGTH} printable ASCII characters, as the header's structured-field
     * string allows: control bytes and bytes past ASCII (which Tomcat would read as Latin-1) are refused
     * rather than stored as keys no client could send back the same way.
     */
    public static boolean isValid(String key) {
        return key != null
                && !key.isBlank()
                && key.length() <= MAX_LENGTH
                && key.chars().allMatch(c -> c >= 0x20 && c <= 0x7E);
    }

    /** What the first request under a key asked for, and the order it created. */
    public record Claim(String requestHash, UUID orderId) {}

    private final JdbcClient jdbc;
    private final OrdersProperties.Idempotency properties;

    IdempotencyKeys(JdbcClient jdbc, OrdersProperties properties) {
        this.jdbc = jdbc;
        this.properties = properties.idempotency();
    }

    /**
     * Claims {@code key} for a new order in the caller's transaction.
     *
     * <p>{@code ON CONFLICT DO NOTHING} waits for a concurrent transaction holding the same key to finish:
     * if it committed, this returns its claim; if it rolled back, this claim wins. Either way exactly one
     * order is created per key, whichever instances the requests reach.
     *
     * @return empty when the key is now ours, else the earlier claim
     */
    public Optional<Claim> claim(String customerId, String key, String requestHash, UUID orderId) {
        int inserted = jdbc.sql("""
                        INSERT INTO idempotency_keys (customer_id, idempotency_key, request_hash, order_id)
                        VALUES (:customer, :key, :hash, :order)
                        ON CONFLICT DO NOTHING
                        """)
                .param("customer", customerId)
                .param("key", key)
                .param("hash", requestHash)
                .param("order", orderId)
                .update();
        if (inserted == 1) {
            return Optional.empty();
        }
        return Optional.of(jdbc.sql("""
                        SELECT request_hash, order_id FROM idempotency_keys
                         WHERE customer_id = :customer AND idempotency_key = :key
                        """)
                .param("customer", customerId)
                .param("key", key)
                .query((rs, n) -> new Claim(rs.getString("request_hash"), rs.getObject("order_id", UUID.class)))
                .single());
    }

    @Scheduled(fixedDelayString = "PT10M", initialDelayString = "PT1M")
    void forgetExpired() {
        int removed = jdbc.sql("DELETE FROM idempotency_keys WHERE created_at < :cutoff")
                .param("cutoff", OffsetDateTime.ofInstant(Instant.now().minus(properties.retention()), ZoneOffset.UTC))
                .update();
        if (removed > 0) {
            log.debug("Forgot {} idempotency keys older than {}", removed, properties.retention());
        }
    }
}
