package dev.protocollab.loadtests;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * End to end through the gateway: each user ({@code --token} takes one token per user, comma-separated)
 * holds a notification WebSocket ({@code /ws/notifications}) while orders are created at a fixed rate
 * ({@code POST /api/orders}), for the users in turn; the latency of each order is from
 * the intended start of its create request to the arrival of its {@code order.created} notification.
 * That spans the gateway, order-service's transaction and outbox relay, RabbitMQ, notification-service's
 * consumer, its store and live fan-out, and the gateway again.
 */
final class OrderToNotification {

    private static final Pattern ORDER_ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern NOTIFIED_ORDER = Pattern.compile("\"orderId\"\\s*:\\s*\"([^\"]+)\"");
    private static final String BODY =
            "{\"items\":[{\"sku\":\"BENCH-1\",\"quantity\":1,\"unitPrice\":\"1.00\"}],\"currency\":\"EUR\"}";

    private final Latencies endToEnd = new Latencies();
    private final Latencies create = new Latencies();
    private final Map<String, Long> intendedById = new ConcurrentHashMap<>();
    private final Map<String, Long> notifiedById = new ConcurrentHashMap<>();
    private final AtomicLong matched = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private volatile boolean measuring;

    private OrderToNotification() {}

    static void run(Options options) throws Exception {
        new OrderToNotification().execute(options);
    }

    private void execute(Options options) throws Exception {
        String gateway = options.string("gateway");
        List<String> tokens = List.of(options.string("token").split(","));
        int rate = options.integer("rate", 50);
        Duration warmup = options.seconds("warmup", 5);
        Duration duration = options.seconds("duration", 20);
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        List<WebSocket> sockets = new ArrayList<>();
        List<HttpRequest> requests = new ArrayList<>();
        for (String token : tokens) {
            sockets.add(client.newWebSocketBuilder()
                    .header("Authorization", "Bearer " + token)
                    .buildAsync(URI.create(gateway.replaceFirst("^http", "ws") + "/ws/notifications"), listener())
                    .get(10, TimeUnit.SECONDS));
            requests.add(HttpRequest.newBuilder(URI.create(gateway + "/api/orders"))
                    .header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofString(BODY))
                    .build());
        }
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        long start = System.nanoTime();
        long warmupEnd = start + warmup.toNanos();
        long end = warmupEnd + duration.toNanos();
        long sent = 0;
        for (long i = 0; ; i++) {
            long intended = start + i * interval;
            if (intended >= end) {
                break;
            }
            if (!measuring && intended >= warmupEnd) {
                endToEnd.reset();
                create.reset();
                errors.set(0);
                matched.set(0);
                measuring = true;
            }
            long wait = intended - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            if (measuring) {
                sent++;
            }
            boolean counted = measuring;
            HttpRequest request = requests.get((int) (i % requests.size()));
            client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
                if (error != null || response.statusCode() != 201) {
                    errors.incrementAndGet();
                    return;
                }
                long now = System.nanoTime();
                if (counted) {
                    create.recordNanos(now - intended);
                }
                Matcher m = ORDER_ID.matcher(response.body());
                if (m.find()) {
                    String id = m.group(1);
                    Long notified = notifiedById.remove(id);
                    if (notified != null) {
                        complete(intended, notified, counted);
                    } else {
                        intendedById.put(id, counted ? intended : -intended);
                    }
                }
            });
        }
        // let the last notifications arrive
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (matched.get() < sent && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        sockets.forEach(WebSocket::abort);
        System.out.printf(
                "e2e.rate=%d%ne2e.users=%d%ne2e.sent=%d%ne2e.notified=%d%ne2e.errors=%d%n",
                rate, tokens.size(), sent, matched.get(), errors.get());
        Latencies.print("e2e.latency", endToEnd.snapshot(), options.string("hgrm", null));
        Latencies.print("e2e.create", create.snapshot(), null);
    }

    private void complete(long intended, long notifiedAt, boolean counted) {
        if (counted) {
            endToEnd.recordNanos(notifiedAt - intended);
            matched.incrementAndGet();
        }
    }

    private void onNotification(String text) {
        if (!text.contains("\"order.created\"")) {
            return;
        }
        long now = System.nanoTime();
        Matcher m = NOTIFIED_ORDER.matcher(text);
        if (!m.find()) {
            return;
        }
        String id = m.group(1);
        Long intended = intendedById.remove(id);
        if (intended != null) {
            complete(Math.abs(intended), now, intended > 0);
        } else {
            notifiedById.put(id, now);
        }
    }

    private WebSocket.Listener listener() {
        return new WebSocket.Listener() {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public void onOpen(WebSocket webSocket) {
                webSocket.request(1);
            }

            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    onNotification(partial.toString());
                    partial.setLength(0);
                }
                webSocket.request(1);
                return null;
            }
        };
    }
}
