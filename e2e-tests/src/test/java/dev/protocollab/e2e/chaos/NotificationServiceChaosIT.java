package dev.protocollab.e2e.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.protocollab.e2e.suite.ServiceProcess;
import dev.protocollab.e2e.suite.Suite;
import dev.protocollab.testsupport.TcpProxy;
import dev.protocollab.testsupport.TestPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Two notification-service processes consume order events while orders flow and the test kills each of them
 * (SIGKILL), has the broker close every connection, and slows order-service's gRPC answers past the
 * enrichment deadline (a TCP proxy with 3 s latency; the deadline is 2 s). Afterwards every order's
 * events, its final DELIVERED status included, are each stored exactly once for its customer, every
 * customer's sequence numbers run 1..n without a gap or a repeat, a client replaying from sequence 0 (short
 * polls and a WebSocket with {@code ?after=0} on one instance, SSE with {@code Last-Event-ID: 0} on the
 * other) gets each notification once, and
 * nothing was dead-lettered.
 */
@Tag("chaos")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class NotificationServiceChaosIT {

    private static final String CLIENT_SECRET = "chaos-notification-secret";

    private static Suite suite;
    private static TestPostgres.Database notifications;
    private static TcpProxy grpcProxy;
    private static Connection checks;
    private static final ServiceProcess[] instances = new ServiceProcess[2];
    private static final int[] httpPorts = new int[2];
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    private static volatile String fault = "steady state";

    @BeforeAll
    static void oneOrderServiceAndTwoNotificationServices() throws SQLException {
        suite = new Suite();
        suite.issuer().registerClient("notification-service", CLIENT_SECRET, "orders:read");
        suite.withOrderServices(
                1,
                Map.of(
                        "orders.fulfilment.confirm-after", "1s",
                        "orders.fulfilment.ship-after", "1s",
                        "orders.fulfilment.deliver-after", "1s",
                        "orders.fulfilment.poll-interval", "200ms",
                        "orders.outbox.poll-interval", "200ms"));
        notifications = TestPostgres.newDatabase("chaos_notifications");
        checks = connect(notifications);
        grpcProxy = TcpProxy.start("127.0.0.1", suite.orderServices().getFirst().grpcPort());
        for (int i = 0; i < instances.length; i++) {
            int management = ServiceProcess.freePort();
            Map<String, String> env = new LinkedHashMap<>();
            httpPorts[i] = ServiceProcess.freePort();
            env.put("NOTIFICATION_HTTP_PORT", Integer.toString(httpPorts[i]));
            env.put("NOTIFICATION_MANAGEMENT_PORT", Integer.toString(management));
            env.put("NOTIFICATIONS_DB_URL", notifications.jdbcUrl());
            env.put("NOTIFICATIONS_DB_USER", notifications.username());
            env.put("NOTIFICATIONS_DB_PASSWORD", notifications.password());
            env.put("NOTIFICATIONS_DB_POOL_SIZE", "5");
            env.put("RABBITMQ_HOST", suite.broker().host());
            env.put("RABBITMQ_PORT", Integer.toString(suite.broker().port()));
            env.put("RABBITMQ_USER", suite.broker().username());
            env.put("RABBITMQ_PASSWORD", suite.broker().password());
            env.put("RABBITMQ_VHOST", suite.broker().virtualHost());
            env.put("JWKS_URI", suite.issuer().jwksUri().toString());
            env.put("OAUTH2_TOKEN_URI", suite.issuer().tokenUri().toString());
            env.put("NOTIFICATION_CLIENT_SECRET", CLIENT_SECRET);
            env.put("ORDER_GRPC_ADDRESS", "static://127.0.0.1:" + grpcProxy.port());
            instances[i] = ServiceProcess.of(
                    "notification-service",
                    "notification-service-" + (i + 1),
                    env,
                    management,
                    ServiceProcess.root().resolve("e2e-tests/target/chaos-logs"));
        }
        for (ServiceProcess instance : instances) {
            instance.start();
        }
        for (ServiceProcess instance : instances) {
            instance.awaitReady(Duration.ofSeconds(180));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (ServiceProcess instance : instances) {
            if (instance != null) {
                instance.close();
            }
        }
        if (checks != null) {
            checks.close();
        }
        if (grpcProxy != null) {
            grpcProxy.close();
        }
        if (suite != null) {
            suite.close();
        }
        if (notifications != null) {
            notifications.close();
        }
    }

    @Test
    void everyEventIsStoredOnceForItsCustomerThroughFaults() throws Exception {
        try (OrderTraffic traffic = new OrderTraffic(
                        List.of(suite.orderServices().getFirst().baseUrl()), suite.issuer()::token, () -> fault)
                .start(Duration.ofMillis(150))) {
            flow(traffic, 20);

            fault = "kill -9 of notification-service-1";
            instances[0].kill();
            flow(traffic, 25);
            instances[0].start().awaitReady(Duration.ofSeconds(180));

            fault = "RabbitMQ closed the connections";
            assertThat(suite.broker().closeConnections()).isPositive();
            flow(traffic, 20);

            fault = "order-service gRPC 3 s slower than the 2 s enrichment deadline";
            grpcProxy.latency(Duration.ofSeconds(3));
            flow(traffic, 20);
            grpcProxy.latency(Duration.ZERO);

            fault = "kill -9 of notification-service-2";
            instances[1].kill();
            flow(traffic, 25);
            instances[1].start().awaitReady(Duration.ofSeconds(180));

            fault = "recovery";
            flow(traffic, 10);
            traffic.stopPlacing();
            await().atMost(Duration.ofSeconds(90)).until(traffic::settled);
            int orders = traffic.accepted().size();

            awaitQuietly(() -> await("four notifications per order, the last one DELIVERED")
                    .atMost(Duration.ofSeconds(150))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> count("SELECT count(*) FROM notifications") >= 4L * orders
                            && count("SELECT count(DISTINCT order_id) FROM notifications WHERE status = 'DELIVERED'")
                                    == orders));

            long stored = count("SELECT count(*) FROM notifications");
            long delivered = count("SELECT count(DISTINCT order_id) FROM notifications WHERE status = 'DELIVERED'");
            long repeated = count("SELECT count(*) FROM (SELECT order_id, status FROM notifications"
                    + " GROUP BY order_id, status HAVING count(*) > 1) AS twice");
            long gapsOrRepeats = count("SELECT count(*) FROM (SELECT user_id FROM notifications"
                    + " GROUP BY user_id HAVING count(*) <> max(seq) OR count(DISTINCT seq) <> count(*)) AS broken");
            long unenriched = count("SELECT count(*) FROM notifications WHERE NOT enriched");
            long foreign = count("SELECT count(*) FROM notifications WHERE user_id NOT LIKE 'chaos-customer-%'");
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("orders accepted", orders);
            summary.put("notifications stored", stored);
            summary.put("orders with a DELIVERED notification", delivered);
            summary.put("an (order, status) stored twice", repeated);
            summary.put("customers with a gap or repeat in their sequence", gapsOrRepeats);
            summary.put("stored without enrichment (deadline passed)", unenriched);
            summary.put("dead-lettered", deadLettered());
            summary.put("failed order attempts", traffic.failures());
            System.out.println("chaos summary (notification-service): " + summary);

            assertThat(traffic.gaveUp()).isZero();
            assertThat(stored).as("exactly four per order").isEqualTo(4L * orders);
            assertThat(delivered)
                    .as("every order's final status reached notification-service")
                    .isEqualTo(orders);
            assertThat(repeated).as("no event stored twice").isZero();
            assertThat(gapsOrRepeats).as("sequence numbers 1..n per customer").isZero();
            assertThat(foreign).isZero();
            assertThat(deadLettered()).as("nothing dead-lettered").isZero();
            for (int customer = 0; customer < 4; customer++) {
                String user = "chaos-customer-" + customer;
                List<String> replayed = replay(user, httpPorts[customer % 2]);
                assertThat(replayed)
                        .as("what %s's clients replay from sequence 0", user)
                        .doesNotHaveDuplicates()
                        .hasSize((int) count("SELECT count(*) FROM notifications WHERE user_id = '" + user + "'"));
                assertThat(replayOverSse(user, httpPorts[(customer + 1) % 2], replayed.size()))
                        .as("what %s's SSE stream replays after Last-Event-ID: 0", user)
                        .doesNotHaveDuplicates()
                        .hasSize(replayed.size());
                assertThat(replayOverWebSocket(user, httpPorts[customer % 2], replayed.size()))
                        .as("what %s's WebSocket replays from ?after=0", user)
                        .doesNotHaveDuplicates()
                        .hasSize(replayed.size());
            }
        }
    }

    /** Every notification {@code user} can replay from the start, by short polls: "orderId status" each. */
    private static List<String> replay(String user, int port) throws Exception {
        List<String> seen = new ArrayList<>();
        long after = 0;
        while (true) {
            HttpResponse<String> response = HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/notifications?after=" + after))
                            .timeout(Duration.ofSeconds(10))
                            .header("Authorization", "Bearer " + suite.issuer().token(user))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode page = JSON.readTree(response.body());
            if (page.path("notifications").isEmpty()) {
                return seen;
            }
            for (JsonNode notification : page.path("notifications")) {
                seen.add(notification.path("orderId").asString() + " "
                        + notification.path("status").asString());
                after = Math.max(after, notification.path("seq").asLong());
            }
        }
    }

    /** Waits as told, but lets a timeout through to the assertions, which say what exactly is missing. */
    private static void awaitQuietly(Runnable waiting) {
        try {
            waiting.run();
        } catch (ConditionTimeoutException e) {
            System.out.println("chaos: " + e.getMessage());
        }
    }

    /**
     * The SSE stream from {@code Last-Event-ID: 0}: the event ids ({@code seq}) of the first {@code
     * expected} notifications, read until that many arrived or 30 s passed; heartbeats are skipped.
     */
    private static List<String> replayOverSse(String user, int port, int expected) {
        List<String> ids = new ArrayList<>();
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/api/notifications/stream"))
                .header("Authorization", "Bearer " + suite.issuer().token(user))
                .header("Accept", "text/event-stream")
                .header("Last-Event-ID", "0")
                .build();
        CompletableFuture<Void> reading = HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofLines())
                .thenAccept(response -> {
                    try (Stream<String> lines = response.body()) {
                        Iterator<String> each = lines.iterator();
                        String id = null;
                        String event = null;
                        while (ids.size() < expected && each.hasNext()) {
                            String line = each.next();
                            if (line.startsWith("id:")) {
                                id = line.substring(3).strip();
                            } else if (line.startsWith("event:")) {
                                event = line.substring(6).strip();
                            } else if (line.isEmpty()) { // the end of one event
                                if ("notification".equals(event) && id != null) {
                                    synchronized (ids) {
                                        ids.add(id);
                                    }
                                }
                                id = null;
                                event = null;
                            }
                        }
                    }
                });
        try {
            reading.orTimeout(30, TimeUnit.SECONDS).join();
        } catch (CompletionException e) {
            reading.cancel(true);
        }
        synchronized (ids) {
            return List.copyOf(ids);
        }
    }

    /** The WebSocket from {@code ?after=0}: the {@code seq} of each notification, until {@code expected}. */
    private static List<Long> replayOverWebSocket(String user, int port, int expected) throws Exception {
        List<Long> seqs = new ArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        WebSocket.Listener listener = new WebSocket.Listener() {
            private final StringBuilder message = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                message.append(data);
                if (last) {
                    JsonNode frame = JSON.readTree(message.toString());
                    message.setLength(0);
                    if (frame.path("type").asString().equals("notification")) {
                        synchronized (seqs) {
                            seqs.add(frame.path("notification").path("seq").asLong());
                            if (seqs.size() >= expected) {
                                done.complete(null);
                            }
                        }
                    }
                }
                socket.request(1);
                return null;
            }
        };
        WebSocket socket = HTTP.newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .buildAsync(
                        URI.create("ws://127.0.0.1:" + port + "/ws/notifications?after=0&access_token="
                                + suite.issuer().token(user)),
                        listener)
                .get(10, TimeUnit.SECONDS);
        try {
            done.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            // asserted by the caller: fewer than expected arrived
        } finally {
            socket.abort();
        }
        synchronized (seqs) {
            return List.copyOf(seqs);
        }
    }

    private static void flow(OrderTraffic traffic, int orders) {
        int target = traffic.placed() + orders;
        await().atMost(Duration.ofSeconds(60)).until(() -> traffic.placed() >= target);
    }

    private static long deadLettered() {
        return new EventTap.QueueDepth(suite.broker()).messages("notification-service.order-events.dlq");
    }

    private static long count(String sql) throws SQLException {
        try (Statement statement = checks.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static Connection connect(TestPostgres.Database database) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", database.username());
        properties.setProperty("password", database.password());
        properties.setProperty("connectTimeout", "5");
        properties.setProperty("socketTimeout", "30");
        return DriverManager.getConnection(database.jdbcUrl(), properties);
    }
}
