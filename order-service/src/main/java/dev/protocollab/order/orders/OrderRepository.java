package dev.protocollab.order.orders;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Orders in PostgreSQL, through plain SQL: every statement the service runs is in this file. */
@Repository
class OrderRepository {

    private static final String COLUMNS = "id, customer_id, status, version, currency, total, created_at, updated_at";

    private final JdbcClient jdbc;

    OrderRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(Order order, Instant nextTransitionAt) {
        jdbc.sql("""
                INSERT INTO orders (id, customer_id, status, version, currency, total, created_at, updated_at,
                                    next_transition_at)
                VALUES (:id, :customer, :status, :version, :currency, :total, :created, :updated, :next)
                """)
                .param("id", order.id())
                .param("customer", order.customerId())
                .param("status", order.status().name())
                .param("version", order.version())
                .param("currency", order.currency())
                .param("total", order.total())
                .param("created", timestamp(order.createdAt()))
                .param("updated", timestamp(order.updatedAt()))
                .param("next", timestamp(nextTransitionAt))
                .update();
        int line = 0;
        for (LineItem item : order.items()) {
            jdbc.sql("""
                    INSERT INTO order_items (order_id, line_no, sku, quantity, unit_price)
                    VALUES (:order, :line, :sku, :quantity, :price)
                    """)
                    .param("order", order.id())
                    .param("line", line++)
                    .param("sku", item.sku())
                    .param("quantity", item.quantity())
                    .param("price", item.unitPrice())
                    .update();
        }
    }

    Optional<Order> find(UUID id) {
        return findOne("SELECT " + COLUMNS + " FROM orders WHERE id = :id", id);
    }

    /** Reads the order and locks its row until the transaction ends, so changes to one order serialise. */
    Optional<Order> findForUpdate(UUID id) {
        return findOne("SELECT " + COLUMNS + " FROM orders WHERE id = :id FOR UPDATE", id);
    }

    private Optional<Order> findOne(String sql, UUID id) {
        return withItems(jdbc.sql(sql)
                        .param("id", id)
                        .query(OrderRepository::header)
                        .list())
                .stream()
                .findFirst();
    }

    /** Status and version only: what a poll needs, without the lines. */
    Optional<OrderState> state(UUID id) {
        return jdbc.sql("SELECT id, customer_id, status, version, updated_at FROM orders WHERE id = :id")
                .param("id", id)
                .query((rs, n) -> new OrderState(
                        rs.getObject("id", UUID.class),
                        rs.getString("customer_id"),
                        OrderStatus.valueOf(rs.getString("status")),
                        rs.getLong("version"),
                        instant(rs, "updated_at")))
                .optional();
    }

    List<Order> page(String customerId, OrderStatus status, int offset, int limit) {
        return withItems(jdbc.sql("SELECT " + COLUMNS + """
                         FROM orders
                        WHERE customer_id = :customer AND (CAST(:status AS varchar) IS NULL OR status = :status)
                        ORDER BY created_at DESC, id
                        LIMIT :limit OFFSET :offset
                        """)
                .param("customer", customerId)
                .param("status", status == null ? null : status.name())
                .param("limit", limit)
                .param("offset", offset)
                .query(OrderRepository::header)
                .list());
    }

    long count(String customerId, OrderStatus status) {
        return jdbc.sql("""
                        SELECT count(*) FROM orders
                         WHERE customer_id = :customer AND (CAST(:status AS varchar) IS NULL OR status = :status)
                        """)
                .param("customer", customerId)
                .param("status", status == null ? null : status.name())
                .query(Long.class)
                .single();
    }

    /**
     * Writes a new status. The version in the WHERE clause is a second guard behind the row lock: an
     * update computed from a stale read changes nothing.
     *
     * @return whether the row was updated
     */
    boolean updateStatus(Order changed, Instant nextTransitionAt) {
        return jdbc.sql("""
                        UPDATE orders
                           SET status = :status, version = :version, updated_at = :updated, next_transition_at = :next
                         WHERE id = :id AND version = :previous
                        """)
                        .param("status", changed.status().name())
                        .param("version", changed.version())
                        .param("updated", timestamp(changed.updatedAt()))
                        .param("next", timestamp(nextTransitionAt))
                        .param("id", changed.id())
                        .param("previous", changed.version() - 1)
                        .update()
                == 1;
    }

    /**
     * Orders whose next fulfilment step is due, locked for this transaction. {@code SKIP LOCKED} lets
     * several instances share the work without waiting on, or doing, each other's rows.
     */
    List<UUID> lockDue(Instant now, int limit) {
        return jdbc.sql("""
                        SELECT id FROM orders
                         WHERE next_transition_at <= :now
                         ORDER BY next_transition_at
                         LIMIT :limit
                           FOR UPDATE SKIP LOCKED
                        """)
                .param("now", timestamp(now))
                .param("limit", limit)
                .query(UUID.class)
                .list();
    }

    private List<Order> withItems(List<Order> headers) {
        if (headers.isEmpty()) {
            return headers;
        }
        Map<UUID, List<LineItem>> items = new LinkedHashMap<>();
        headers.forEach(order -> items.put(order.id(), new ArrayList<>()));
        jdbc.sql("""
                        SELECT order_id, sku, quantity, unit_price FROM order_items
                         WHERE order_id = ANY(:ids) ORDER BY order_id, line_no
                        """).param("ids", ids(items.keySet())).query(rs -> {
            items.get(rs.getObject("order_id", UUID.class))
                    .add(new LineItem(rs.getString("sku"), rs.getInt("quantity"), rs.getBigDecimal("unit_price")));
        });
        return headers.stream()
                .map(order -> new Order(
                        order.id(),
                        order.customerId(),
                        order.status(),
                        order.version(),
                        order.currency(),
                        order.total(),
                        List.copyOf(items.get(order.id())),
                        order.createdAt(),
                        order.updatedAt()))
                .toList();
    }

    private static UUID[] ids(Collection<UUID> ids) {
        return ids.toArray(UUID[]::new);
    }

    private static Order header(ResultSet rs, int row) throws SQLException {
        return new Order(
                rs.getObject("id", UUID.class),
                rs.getString("customer_id"),
                OrderStatus.valueOf(rs.getString("status")),
                rs.getLong("version"),
                rs.getString("currency"),
                rs.getBigDecimal("total"),
                List.of(),
                instant(rs, "created_at"),
                instant(rs, "updated_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }

    private static OffsetDateTime timestamp(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }
}
