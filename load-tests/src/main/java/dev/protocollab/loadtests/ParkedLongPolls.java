package dev.protocollab.loadtests;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * N long polls parked at once on one server (each on its own HTTP/1.1 connection, as browsers do), held
 * until the server's deadline answers them. The server's memory and threads are sampled while all of
 * them are parked; each answer's lateness past the requested wait shows whether parking cost anything.
 */
final class ParkedLongPolls {

    private ParkedLongPolls() {}

    static void run(Options options) throws Exception {
        URI uri = URI.create(options.string("url"));
        int clients = options.integer("clients", 1000);
        int connectRate = options.integer("connect-rate", 2000);
        Duration wait = options.seconds("wait", 25);
        long pid = Long.parseLong(options.string("server-pid", "0"));
        String management = options.string("management", null);
        Options.Auth auth = options.auth();

        ServerStats before = ServerStats.sample(pid, management);
        List<HttpClient> pool = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            pool.add(HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(20))
                    .build());
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(wait.plusSeconds(30));
        if (auth.present()) {
            builder.header(auth.header(), auth.value());
        }
        HttpRequest request = builder.build();
        Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
        Latencies answeredAfter = new Latencies();
        List<CompletableFuture<?>> polls = new ArrayList<>(clients);
        long start = System.nanoTime();
        for (int i = 0; i < clients; i++) {
            long sentAt = System.nanoTime();
            polls.add(pool.get(i % pool.size())
                    .sendAsync(request, HttpResponse.BodyHandlers.discarding())
                    .whenComplete((response, error) -> {
                        String outcome = error != null
                                ? error.getClass().getSimpleName()
                                : String.valueOf(response.statusCode());
                        outcomes.computeIfAbsent(outcome, k -> new AtomicLong()).incrementAndGet();
                        answeredAfter.recordNanos(System.nanoTime() - sentAt);
                    }));
            long due = start + (long) ((i + 1) * (1e9 / connectRate));
            long pause = due - System.nanoTime();
            if (pause > 0) {
                TimeUnit.NANOSECONDS.sleep(pause);
            }
        }
        double sendSeconds = (System.nanoTime() - start) / 1e9;
        // sample while every poll is parked: half of what is left of the first poll's wait
        long firstDeadline = start + wait.toNanos();
        long sampleAt = System.nanoTime() + Math.max(0, (firstDeadline - System.nanoTime()) / 2);
        TimeUnit.NANOSECONDS.sleep(Math.max(0, sampleAt - System.nanoTime()));
        long answeredEarly =
                outcomes.values().stream().mapToLong(AtomicLong::get).sum();
        ServerStats during = ServerStats.sample(pid, management);
        CompletableFuture.allOf(
                        polls.stream().map(f -> f.exceptionally(e -> null)).toArray(CompletableFuture[]::new))
                .get(wait.toSeconds() + 90, TimeUnit.SECONDS);

        System.out.printf("longpoll.clients=%d%nlongpoll.send_seconds=%.1f%n", clients, sendSeconds);
        System.out.printf("longpoll.answered_before_sample=%d%n", answeredEarly);
        new TreeMap<>(outcomes).forEach((k, v) -> System.out.printf("longpoll.outcome.%s=%d%n", k, v.get()));
        Latencies.print("longpoll.answered_after", answeredAfter.snapshot(), null);
        before.print("server.before");
        during.print("server.during");
        if (before.rssKib() > 0) {
            double per1k = 1000.0 / clients;
            System.out.printf("server.rss_mib_per_1k=%.2f%n", (during.rssKib() - before.rssKib()) / 1024.0 * per1k);
            System.out.printf("server.heap_mib_per_1k=%.2f%n", (during.heapUsedMib() - before.heapUsedMib()) * per1k);
        }
    }
}
