package dev.protocollab.e2e.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.protocollab.e2e.suite.Suite;
import dev.protocollab.testsupport.TcpProxy;
import dev.protocollab.testsupport.TestPostgres;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two order-service processes take a steady stream of orders while the test breaks what they depend on,
 * with real mechanisms: SIGKILL of an instance, the broker closing their connections (management API),
 * PostgreSQL terminating their sessions and refusing new ones (on this test's own database only), latency
 * and a cut on TCP proxies in front of PostgreSQL and RabbitMQ. Afterwards: every order a client was told
 * about exists exactly once, every idempotency key maps to one order, the outbox is drained, and every
 * order's four events reached a queue bound to {@code orders.events}. Failed attempts (5xx, resets) are
 * counted by cause and fault, and printed for docs/reliability.md.
 */
@Tag("chaos")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class OrderServiceChaosIT {

    private static final Duration ORDER_INTERVAL = Duration.ofMillis(150);
    private static final List<String> FINAL_EVENTS = List.of(
            "order.created PENDING",
            "order.status-changed CONFIRMED",
            "order.status-changed SHIPPED",
            "order.status-changed DELIVERED");

    /** The test's own sessions, spared when the fault terminates the services' sessions. */
    private static final String CHECKS = "chaos-checks";

    private static Suite suite;
    private static TestPostgres.Database database;
    private static TcpProxy postgresProxy;
    private static TcpProxy brokerProxy;
    private static EventTap tap;
    /** Held from the start: a shared PostgreSQL may have no connection to spare later, when checks run. */
    private static Connection admin;

    private static Connection checks;
    private static volatile String fault = "steady state";

    @BeforeAll
    static void twoInstancesBehindProxies() throws SQLException {
        suite = new Suite();
        database = TestPostgres.newDatabase("chaos_orders");
        URI postgres = URI.create(database.jdbcUrl().substring("jdbc:".length()));
        postgresProxy = TcpProxy.start(postgres.getHost(), postgres.getPort());
        brokerProxy = TcpProxy.start(suite.broker().host(), suite.broker().port());
        tap = new EventTap(suite.broker());
        admin = connect("postgres");
        checks = connect(database.name());
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(
                "spring.datasource.url",
                database.jdbcUrl()
                        .replace(postgres.getHost() + ":" + postgres.getPort(), "127.0.0.1:" + postgresProxy.port()));
        settings.put("spring.datasource.username", database.username());
        settings.put("spring.datasource.password", database.password());
        settings.put("spring.datasource.hikari.maximum-pool-size", "5");
        settings.put("spring.rabbitmq.host", "127.0.0.1");
        settings.put("spring.rabbitmq.port", Integer.toString(brokerProxy.port()));
        settings.put("orders.fulfilment.confirm-after", "1s");
        settings.put("orders.fulfilment.ship-after", "1s");
        settings.put("orders.fulfilment.deliver-after", "1s");
        settings.put("orders.fulfilment.poll-interval", "200ms");
        settings.put("orders.outbox.poll-interval", "200ms");
        settings.put("orders.outbox.max-backoff", "2s");
        suite.withOrderServices(2, settings);
    }

    @AfterAll
    static void stop() throws SQLException {
        if (checks != null) {
            checks.close();
        }
        if (admin != null) {
            admin.close();
        }
        if (suite != null) {
            suite.close();
        }
        if (postgresProxy != null) {
            postgresProxy.close();
        }
        if (brokerProxy != null) {
            brokerProxy.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void noAcceptedOrderIsLostOrDuplicatedAndEveryEventIsPublished() throws Exception {
        List<String> urls =
                suite.orderServices().stream().map(Suite.OrderService::baseUrl).toList();
        try (OrderTraffic traffic = new OrderTraffic(urls, suite.issuer()::token, () -> fault).start(ORDER_INTERVAL)) {
            flow(traffic, 20);

            during(
                    "kill -9 of order-service-1",
                    traffic,
                    25,
                    () -> instance(0).process().kill());
            restart(0);
            during("recovery", traffic, 10, () -> {});

            during(
                    "RabbitMQ closed the connections",
                    traffic,
                    15,
                    () -> assertThat(suite.broker().closeConnections()).isPositive());

            during("PostgreSQL terminated sessions and refused connections", traffic, 20, () -> {
                admin("ALTER DATABASE " + database.name() + " ALLOW_CONNECTIONS false");
                admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + database.name()
                        + "' AND application_name <> '" + CHECKS + "'");
            });
            admin("ALTER DATABASE " + database.name() + " ALLOW_CONNECTIONS true");
            during("recovery from PostgreSQL refusing", traffic, 15, () -> {});

            during("300 ms latency to PostgreSQL", traffic, 15, () -> postgresProxy.latency(Duration.ofMillis(300)));
            postgresProxy.latency(Duration.ZERO);

            during("RabbitMQ cut at a TCP proxy", traffic, 20, () -> brokerProxy.disable());
            brokerProxy.enable();

            during(
                    "kill -9 of order-service-2",
                    traffic,
                    25,
                    () -> instance(1).process().kill());
            restart(1);
            fault = "recovery";
            flow(traffic, 10);

            traffic.stopPlacing();
            await("every placed order accepted or given up")
                    .atMost(Duration.ofSeconds(90))
                    .until(traffic::settled);

            Map<String, List<String>> events = new HashMap<>();
            Set<String> eventIds = new HashSet<>();
            int[] duplicateEvents = {0};
            awaitQuietly(() -> await("every order delivered, the outbox drained and every event published")
                    .atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> {
                        for (EventTap.Event event : tap.drain()) {
                            if (!eventIds.add(event.id())) {
                                duplicateEvents[0]++;
                                continue;
                            }
                            events.computeIfAbsent(event.orderId(), id -> new ArrayList<>())
                                    .add(event.type() + " " + event.status());
                        }
                        return count("SELECT count(*) FROM orders WHERE status <> 'DELIVERED'") == 0
                                && count("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0
                                && events.size() >= count("SELECT count(*) FROM orders")
                                && events.values().stream().allMatch(list -> list.containsAll(FINAL_EVENTS));
                    }));

            Set<String> inDatabase = ids("SELECT id FROM orders");
            Map<String, String> accepted = traffic.accepted();
            Set<String> acceptedIds = new HashSet<>(accepted.values());
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("orders placed", traffic.placed());
            summary.put("accepted (201 seen by the client)", accepted.size());
            summary.put("client gave up", traffic.gaveUp());
            summary.put("orders in the database", inDatabase.size());
            summary.put(
                    "accepted but missing (lost)",
                    difference(acceptedIds, inDatabase).size());
            summary.put(
                    "in the database but never confirmed to a client",
                    difference(inDatabase, acceptedIds).size());
            summary.put(
                    "one key answered with two orders (duplicated)",
                    traffic.conflictingAnswers().size());
            summary.put("events received", eventIds.size() + duplicateEvents[0]);
            summary.put("events redelivered (same CloudEvent id)", duplicateEvents[0]);
            summary.put("final outcomes", traffic.outcomes());
            summary.put("failed attempts by cause and fault", new TreeMap<>(traffic.failures()));
            System.out.println("chaos summary (order-service): " + summary);

            assertThat(traffic.conflictingAnswers()).as("duplicated orders").isEmpty();
            assertThat(difference(acceptedIds, inDatabase)).as("lost orders").isEmpty();
            assertThat(acceptedIds).as("one order per idempotency key").hasSize(accepted.size());
            assertThat(traffic.gaveUp())
                    .as("orders the retry policy could not place")
                    .isZero();
            assertThat(inDatabase).as("no order the clients do not know of").isEqualTo(acceptedIds);
            assertThat(count("SELECT count(*) FROM outbox WHERE published_at IS NULL"))
                    .as("outbox drained")
                    .isZero();
            assertThat(events.keySet()).as("events only for real orders").isSubsetOf(inDatabase);
            assertThat(events)
                    .allSatisfy((order, received) -> assertThat(received).containsAll(FINAL_EVENTS));
            assertThat(traffic.failures().keySet())
                    .as("every failed attempt happened while a fault was injected or healing")
                    .noneMatch(cause -> cause.endsWith("during steady state"));
            assertThat(traffic.failures().keySet())
                    .as("a 5xx says the failure is transient (503 database-unavailable), never an internal error")
                    .noneMatch(cause -> cause.startsWith("500"));
        }
    }

    /** Injects a fault, labels the traffic with it, and lets {@code orders} more orders be placed meanwhile. */
    private static void during(String name, OrderTraffic traffic, int orders, Runnable inject) {
        fault = name;
        inject.run();
        flow(traffic, orders);
    }

    /** Waits as told, but lets a timeout through to the assertions, which say what exactly is missing. */
    private static void awaitQuietly(Runnable waiting) {
        try {
            waiting.run();
        } catch (ConditionTimeoutException e) {
            System.out.println("chaos: " + e.getMessage());
        }
    }

    private static void flow(OrderTraffic traffic, int orders) {
        int target = traffic.placed() + orders;
        await().atMost(Duration.ofSeconds(60)).until(() -> traffic.placed() >= target);
    }

    private static Suite.OrderService instance(int index) {
        return suite.orderServices().get(index);
    }

    private static void restart(int index) {
        fault = "restart of order-service-" + (index + 1);
        instance(index).process().start().awaitReady(Duration.ofSeconds(180));
    }

    private static void admin(String sql) {
        try (Statement statement = admin.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    private static long count(String sql) throws SQLException {
        try (Statement statement = checks.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static Set<String> ids(String sql) throws SQLException {
        Set<String> ids = new HashSet<>();
        try (Statement statement = checks.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            while (rows.next()) {
                ids.add(rows.getString(1));
            }
        }
        return ids;
    }

    /** Straight to PostgreSQL (never through the proxy): the test's own checks must not suffer its faults. */
    private static Connection connect(String databaseName) throws SQLException {
        String url = database.jdbcUrl();
        int slash = url.lastIndexOf('/');
        int query = url.indexOf('?', slash);
        String target = url.substring(0, slash + 1) + databaseName + (query < 0 ? "" : url.substring(query));
        Properties properties = new Properties();
        properties.setProperty("user", database.username());
        properties.setProperty("password", database.password());
        properties.setProperty("connectTimeout", "5");
        properties.setProperty("socketTimeout", "30");
        properties.setProperty("ApplicationName", CHECKS);
        return DriverManager.getConnection(target, properties);
    }

    private static Set<String> difference(Set<String> a, Set<String> b) {
        Set<String> result = new HashSet<>(a);
        result.removeAll(b);
        return result;
    }
}
