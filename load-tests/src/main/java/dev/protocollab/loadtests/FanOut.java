package dev.protocollab.loadtests;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * N subscribers of stream-service's {@code metrics} topic, which publishes one window per second to every
 * subscriber, over WebSocket ({@code /ws/stream}) or SSE ({@code /api/stream/metrics}). Delivery latency
 * is the receipt time minus the window's {@code windowEnd} (the moment the server closed and published
 * it; client and server share this machine's clock).
 */
final class FanOut {

    private static final Pattern WINDOW_END = Pattern.compile("\"windowEnd\"\\s*:\\s*\"([^\"]+)\"");

    private final Latencies latencies = new Latencies();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong connected = new AtomicLong();
    private volatile boolean measuring;

    private FanOut() {}

    static void run(Options options) throws Exception {
        new FanOut().execute(options);
    }

    private void execute(Options options) throws Exception {
        String base = options.string("url");
        String transport = options.string("transport");
        String token = options.string("token");
        int clients = options.integer("clients", 1000);
        int connectRate = options.integer("connect-rate", 1000);
        Duration duration = options.seconds("duration", 30);
        long pid = Long.parseLong(options.string("server-pid", "0"));
        String management = options.string("management", null);

        ServerStats before = ServerStats.sample(pid, management);
        List<HttpClient> pool = new ArrayList<>();
        for (int i = 0; i < options.integer("client-threads", 2); i++) {
            pool.add(HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10))
                    .build());
        }
        long connectStart = System.nanoTime();
        List<CompletableFuture<?>> opening = new ArrayList<>(clients);
        for (int i = 0; i < clients; i++) {
            HttpClient client = pool.get(i % pool.size());
            opening.add(
                    transport.equals("ws") ? openWebSocket(client, base, token) : openEventStream(client, base, token));
            long due = connectStart + (long) ((i + 1) * (1e9 / connectRate));
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
        }
        CompletableFuture.allOf(
                        opening.stream().map(f -> f.exceptionally(e -> null)).toArray(CompletableFuture[]::new))
                .get(120, TimeUnit.SECONDS);
        double connectSeconds = (System.nanoTime() - connectStart) / 1e9;
        // one full window so every subscriber has seen an event before the measurement starts
        Thread.sleep(2_000);
        latencies.reset();
        received.set(0);
        measuring = true;
        Instant measureStart = Instant.now();
        Thread.sleep(duration.toMillis());
        measuring = false;
        long windows = Duration.between(measureStart, Instant.now()).toSeconds();
        ServerStats during = ServerStats.sample(pid, management);

        System.out.printf(
                "fanout.transport=%s%nfanout.clients=%d%nfanout.connected=%d%n", transport, clients, connected.get());
        System.out.printf("fanout.connect_failures=%d%nfanout.connect_seconds=%.1f%n", failures.get(), connectSeconds);
        System.out.printf("fanout.windows=%d%nfanout.received=%d%n", windows, received.get());
        System.out.printf("fanout.expected=%d%n", windows * connected.get());
        Latencies.print("fanout.latency", latencies.snapshot(), options.string("hgrm", null));
        before.print("server.before");
        during.print("server.during");
        if (before.rssKib() > 0 && connected.get() > 0) {
            double per1k = 1000.0 / connected.get();
            System.out.printf("server.rss_mib_per_1k=%.2f%n", (during.rssKib() - before.rssKib()) / 1024.0 * per1k);
            System.out.printf("server.heap_mib_per_1k=%.2f%n", (during.heapUsedMib() - before.heapUsedMib()) * per1k);
        }
    }

    private void onEvent(String text) {
        Matcher m = WINDOW_END.matcher(text);
        if (!m.find()) {
            return;
        }
        long latency =
                Duration.between(Instant.parse(m.group(1)), Instant.now()).toNanos();
        if (measuring) {
            latencies.recordNanos(latency);
            received.incrementAndGet();
        }
    }

    private CompletableFuture<?> openWebSocket(HttpClient client, String base, String token) {
        URI uri = URI.create(base.replaceFirst("^http", "ws") + "/ws/stream");
        return client.newWebSocketBuilder()
                .header("Authorization", "Bearer " + token)
                .connectTimeout(Duration.ofSeconds(20))
                .buildAsync(uri, new WebSocket.Listener() {
                    private final StringBuilder partial = new StringBuilder();

                    @Override
                    public void onOpen(WebSocket webSocket) {
                        connected.incrementAndGet();
                        webSocket.sendText("{\"type\":\"subscribe\",\"topics\":[\"metrics\"]}", true);
                        webSocket.request(1);
                    }

                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            onEvent(partial.toString());
                            partial.setLength(0);
                        }
                        webSocket.request(1);
                        return null;
                    }

                    @Override
                    public void onError(WebSocket webSocket, Throwable error) {
                        failures.incrementAndGet();
                    }
                })
                .whenComplete((ws, error) -> {
                    if (error != null) {
                        failures.incrementAndGet();
                    }
                });
    }

    private CompletableFuture<?> openEventStream(HttpClient client, String base, String token) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/stream/metrics"))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "text/event-stream")
                .build();
        Flow.Subscriber<String> lines = new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(String line) {
                if (line.startsWith("data:")) {
                    onEvent(line);
                }
            }

            @Override
            public void onError(Throwable throwable) {
                if (measuring) {
                    failures.incrementAndGet();
                }
            }

            @Override
            public void onComplete() {}
        };
        // the body of a live stream never completes: the stream counts as open once its headers arrive
        CompletableFuture<Void> opened = new CompletableFuture<>();
        HttpResponse.BodyHandler<Void> handler = info -> {
            if (info.statusCode() == 200) {
                connected.incrementAndGet();
            } else {
                failures.incrementAndGet();
            }
            opened.complete(null);
            return HttpResponse.BodySubscribers.fromLineSubscriber(lines);
        };
        client.sendAsync(request, handler).whenComplete((response, error) -> {
            if (error != null && !opened.isDone()) {
                failures.incrementAndGet();
            }
            opened.complete(null);
        });
        return opened;
    }
}
