package dev.protocollab.e2e.chaos;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A steady stream of orders at a fixed rate, spread over the instances, with the retry policy a careful
 * client uses: each order has its own {@code Idempotency-Key}, and a failed attempt (connection refused or
 * reset, timeout, 5xx) is retried with the same key on the next instance after a growing pause. Every
 * attempt's outcome is counted, and every 5xx and I/O failure is labelled with the fault that was active.
 */
final class OrderTraffic implements AutoCloseable {

    static final int MAX_ATTEMPTS = 10;

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String BODY =
            "{\"items\":[{\"sku\":\"CHAOS-1\",\"quantity\":1,\"unitPrice\":\"3.00\"}],\"currency\":\"EUR\"}";

    private final List<String> instances;
    private final Function<String, String> tokens;
    private final Supplier<String> activeFault;
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();
    private volatile ScheduledFuture<?> placing;
    private final AtomicInteger placed = new AtomicInteger();
    private final AtomicInteger given = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Idempotency key → the order id the service answered with (every answer for one key must agree). */
    private final Map<String, String> accepted = new ConcurrentHashMap<>();

    private final Map<String, String> customers = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
    private final Map<String, String> conflictingAnswers = new ConcurrentHashMap<>();

    OrderTraffic(List<String> instances, Function<String, String> tokens, Supplier<String> activeFault) {
        this.instances = List.copyOf(instances);
        this.tokens = tokens;
        this.activeFault = activeFault;
    }

    /** Places one new order every {@code interval} until {@link #stopPlacing()}. */
    OrderTraffic start(Duration interval) {
        placing = clock.scheduleAtFixedRate(this::placeOne, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private void placeOne() {
        int n = placed.incrementAndGet();
        String key = "chaos-" + UUID.randomUUID();
        customers.put(key, "chaos-customer-" + (n % 4));
        inFlight.incrementAndGet();
        senders.execute(() -> attempt(key, 1, n));
    }

    private void attempt(String key, int attempt, int seed) {
        String instance = instances.get((seed + attempt) % instances.size());
        String outcome;
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create(instance + "/api/orders"))
                            .timeout(Duration.ofSeconds(10))
                            .header("Authorization", "Bearer " + tokens.apply(customers.get(key)))
                            .header("Content-Type", "application/json")
                            .header("Idempotency-Key", key)
                            .POST(HttpRequest.BodyPublishers.ofString(BODY))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            outcome = Integer.toString(response.statusCode());
            if (response.statusCode() == 201) {
                String id = JSON.readTree(response.body()).path("id").asString();
                String earlier = accepted.putIfAbsent(key, id);
                if (earlier != null && !earlier.equals(id)) {
                    conflictingAnswers.put(key, earlier + " then " + id);
                }
                count(outcomes, attempt == 1 ? "201" : "201 after retry");
                finish();
                return;
            }
            if (response.statusCode() >= 500) {
                count(
                        failures,
                        response.statusCode() + " " + problemType(response.body()) + " during " + activeFault.get());
            } else {
                count(outcomes, outcome + " (not retried)");
                finish();
                return;
            }
        } catch (IOException e) {
            count(failures, e.getClass().getSimpleName() + " during " + activeFault.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finish();
            return;
        }
        if (attempt >= MAX_ATTEMPTS) {
            given.incrementAndGet();
            count(outcomes, "gave up after " + MAX_ATTEMPTS + " attempts");
            finish();
            return;
        }
        long backoff = Math.min(2_000, 100L << Math.min(attempt, 5));
        clock.schedule(() -> senders.execute(() -> attempt(key, attempt + 1, seed)), backoff, TimeUnit.MILLISECONDS);
    }

    private void finish() {
        inFlight.decrementAndGet();
    }

    private static String problemType(String body) {
        try {
            JsonNode problem = JSON.readTree(body);
            return problem.path("type").asString(problem.path("title").asString("?"));
        } catch (RuntimeException e) {
            return "(not problem+json)";
        }
    }

    private static void count(Map<String, AtomicInteger> counts, String key) {
        counts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    }

    /** No new orders; those under way go on retrying until {@link #settled()}. */
    void stopPlacing() {
        placing.cancel(false);
    }

    /** True once every order placed has been accepted or given up on. */
    boolean settled() {
        return inFlight.get() == 0;
    }

    int placed() {
        return placed.get();
    }

    int gaveUp() {
        return given.get();
    }

    Map<String, String> accepted() {
        return accepted;
    }

    Map<String, String> conflictingAnswers() {
        return conflictingAnswers;
    }

    Map<String, Integer> outcomes() {
        return snapshot(outcomes);
    }

    /** Failed attempts (5xx and I/O errors) by cause and the fault active at the time. */
    Map<String, Integer> failures() {
        return snapshot(failures);
    }

    private static Map<String, Integer> snapshot(Map<String, AtomicInteger> counts) {
        Map<String, Integer> copy = new TreeMap<>();
        counts.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    @Override
    public void close() {
        clock.shutdownNow();
        senders.shutdownNow();
    }
}
