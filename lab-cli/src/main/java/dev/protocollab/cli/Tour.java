package dev.protocollab.cli;

import com.google.gson.JsonObject;
import com.google.protobuf.Any;
import com.google.rpc.ResourceInfo;
import dev.protocollab.contracts.order.v1.CreateOrderRequest;
import dev.protocollab.contracts.order.v1.GetOrderRequest;
import dev.protocollab.contracts.order.v1.ImportOrdersSummary;
import dev.protocollab.contracts.order.v1.LineItem;
import dev.protocollab.contracts.order.v1.Order;
import dev.protocollab.contracts.order.v1.OrderServiceGrpc;
import dev.protocollab.contracts.order.v1.OrderUpdate;
import dev.protocollab.contracts.order.v1.TrackOrdersRequest;
import dev.protocollab.contracts.order.v1.WatchOrderRequest;
import dev.protocollab.contracts.stream.v1.StreamMessage;
import dev.protocollab.contracts.stream.v1.StreamServiceGrpc;
import dev.protocollab.contracts.stream.v1.SubscribeRequest;
import dev.protocollab.contracts.stream.v1.Topic;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;

/**
 * {@code bin/suite demo}: a guided tour of every pattern against a running suite, through the gateway
 * only. Each step names the pattern, runs it for real and says what happened with timings; any failure
 * makes the tour exit non-zero, so it doubles as a smoke test. The e2e tests run the same steps.
 */
public final class Tour implements AutoCloseable {

    static final String USAGE = """
            usage: lab-cli demo [--gateway URL] [--tls URL] [--cacert FILE] [--only TEXT]
              --gateway  the gateway's cleartext address (default http://localhost:8080)
              --tls      its TLS address, TCP and UDP (default https://localhost:8443)
              --cacert   the development CA the gateway generated (default .suite/gateway/certs/ca.pem)
              --only     run the steps whose name contains TEXT (the first steps that make the order always run)""";

    private static final Duration DELIVERY = Duration.ofSeconds(45);
    private static final String ORDER_JSON =
            "{\"items\":[{\"sku\":\"BOOK-42\",\"quantity\":2,\"unitPrice\":\"12.50\"}],\"currency\":\"EUR\"}";

    /** Where the suite is. */
    public record Target(URI http, URI https, Path caCert) {}

    /** One step of the tour: the pattern it shows and the check that shows it (returns what happened). */
    public record Step(String pattern, Check check) {}

    @FunctionalInterface
    public interface Check {
        String run() throws Exception;
    }

    private final Target target;
    private final LabClient lab;
    private String alice;
    private String bob;
    /** A user of its own for the watch and replay steps, so its notifications are only that order's. */
    private String watcher;

    private String orderId;
    private String etag;
    private final Map<String, Watch> watches = new ConcurrentHashMap<>();
    private final List<Long> notificationSeqs = new ArrayList<>();

    public Tour(Target target) {
        this.target = target;
        this.lab = new LabClient(target.http());
    }

    public List<Step> steps() {
        return List.of(
                new Step("Sign in: a JWT from the gateway's development issuer", this::signIn),
                new Step("Request-response: REST create answers 201 with Location and ETag", this::create),
                new Step("Idempotency: the same Idempotency-Key replays the first answer", this::idempotency),
                new Step("Conditional GET: If-None-Match answers 304", this::conditionalGet),
                new Step("Authorization: no token is 401, another user's order is 404", this::authorization),
                new Step("Asynchronous work: one order watched six ways at once", this::watch),
                new Step("Short polling", () -> watched("short poll")),
                new Step("Long polling", () -> watched("long poll")),
                new Step("Push over server-sent events (notification-service)", () -> watched("SSE")),
                new Step("Push over WebSocket (notification-service)", () -> watched("WebSocket")),
                new Step("gRPC server streaming: WatchOrder", () -> watched("gRPC WatchOrder")),
                new Step("Publish-subscribe: stream-service's broadcast over SSE", () -> watched("pub/sub")),
                new Step("SSE replay: Last-Event-ID returns exactly what was missed", this::sseReplay),
                new Step("WebSocket resume: ?after=seq returns exactly what was missed", this::webSocketResume),
                new Step("gRPC unary through the gateway (h2c): CreateOrder, GetOrder", this::grpcUnary),
                new Step("gRPC error details: NOT_FOUND with google.rpc.ResourceInfo", this::grpcNotFound),
                new Step("gRPC deadline: DEADLINE_EXCEEDED, and the server lets go", this::grpcDeadline),
                new Step("gRPC client streaming: ImportOrders", this::grpcImport),
                new Step("gRPC bidirectional streaming: TrackOrders", this::grpcTrack),
                new Step("gRPC bidi with topics added mid-stream: stream.v1 Subscribe", this::grpcSubscribe),
                new Step("JSON to gRPC transcoding: GET /rpc/orders/{id}", this::transcoding),
                new Step("HTTP/1.1 on the cleartext port", () -> protocol("--http1.1", target.http(), "HTTP/1.1")),
                new Step("HTTP/2 cleartext (h2c, prior knowledge)", () -> protocol("--h2c", target.http(), "HTTP/2")),
                new Step("HTTP/2 over TLS 1.3, chosen by ALPN; Alt-Svc offers HTTP/3", this::http2Tls13),
                new Step("TLS 1.2", this::tls12),
                new Step("TLS 1.1 is refused", this::tls11Refused),
                new Step("HTTP/3 over QUIC (UDP)", () -> protocol("--http3", target.https(), "HTTP/3")),
                new Step("WebSocket publish-subscribe: subscribe to the orders topic", this::streamWebSocket),
                new Step("WebRTC signaling: two peers in a room exchange an offer", this::signaling),
                new Step("Webhook: a signed POST (Standard Webhooks) to a registered URL", this::webhook),
                new Step("Rate limiting: 429 with Retry-After once the burst is spent", this::rateLimit));
    }

    /** Runs the steps whose name contains {@code only} (plus the ones that set up the order). */
    public int run(PrintStream out, String only) {
        int failed = 0;
        int ran = 0;
        int index = 0;
        List<Step> steps = steps();
        for (Step step : steps) {
            index++;
            boolean setup = index <= 2;
            if (only != null && !setup && !step.pattern().toLowerCase().contains(only.toLowerCase())) {
                continue;
            }
            ran++;
            long started = System.nanoTime();
            String outcome;
            boolean passed;
            try {
                outcome = step.check().run();
                passed = true;
            } catch (Throwable e) {
                outcome = e.getClass().getSimpleName() + ": " + e.getMessage();
                passed = false;
                failed++;
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            out.printf(
                    "%s %2d/%d  %s  (%d ms)%n          %s%n",
                    passed ? "PASS" : "FAIL", index, steps.size(), step.pattern(), millis, outcome);
            out.flush();
        }
        String skipped = ran < steps.size() ? " (" + (steps.size() - ran) + " skipped by --only)" : "";
        out.println((failed == 0 ? "All " + ran + " steps passed" : failed + " of " + ran + " steps failed") + skipped
                + ".");
        return failed == 0 ? 0 : 1;
    }

    // --- REST -----------------------------------------------------------------------------------

    private String signIn() throws Exception {
        alice = lab.token("alice");
        bob = lab.token("bob");
        watcher = lab.token("watcher-" + UUID.randomUUID().toString().substring(0, 8));
        String[] parts = alice.split("\\.");
        JsonObject header = LabClient.json(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8));
        return "alice and bob signed in; token header " + header;
    }

    private String create() throws Exception {
        long started = System.nanoTime();
        HttpResponse<String> response =
                lab.send("POST", "/api/orders", alice, ORDER_JSON, "Content-Type", "application/json");
        expect(response, 201);
        JsonObject order = LabClient.json(response.body());
        orderId = order.get("id").getAsString();
        etag = response.headers().firstValue("ETag").orElseThrow(() -> new AssertionError("no ETag"));
        String location =
                response.headers().firstValue("Location").orElseThrow(() -> new AssertionError("no Location"));
        check("PENDING".equals(order.get("status").getAsString()), "a new order is PENDING: " + order);
        return "201 in %d ms: %s %s %s, Location %s, ETag %s"
                .formatted(
                        millisSince(started),
                        order.get("status").getAsString(),
                        order.get("total").getAsString(),
                        order.get("currency").getAsString(),
                        location,
                        etag);
    }

    private String idempotency() throws Exception {
        String key = UUID.randomUUID().toString();
        HttpResponse<String> first = lab.send(
                "POST", "/api/orders", alice, ORDER_JSON, "Content-Type", "application/json", "Idempotency-Key", key);
        HttpResponse<String> again = lab.send(
                "POST", "/api/orders", alice, ORDER_JSON, "Content-Type", "application/json", "Idempotency-Key", key);
        expect(first, 201);
        String id = LabClient.json(first.body()).get("id").getAsString();
        check(
                id.equals(LabClient.json(again.body()).get("id").getAsString()),
                "the replay named another order: " + again.body());
        String replayed = again.headers().firstValue("Idempotent-Replayed").orElse("absent");
        check("true".equals(replayed), "Idempotent-Replayed was " + replayed);
        return "two POSTs with key " + key.substring(0, 8) + "… created one order " + id.substring(0, 8)
                + "…; the second answered " + again.statusCode() + " with Idempotent-Replayed: true";
    }

    private String conditionalGet() throws Exception {
        HttpResponse<String> response = lab.send("GET", "/api/orders/" + orderId, alice, null, "If-None-Match", etag);
        if (response.statusCode() == 200) {
            return "the order had already moved on (200 with ETag "
                    + response.headers().firstValue("ETag").orElse("?") + "); run again right after a create";
        }
        expect(response, 304);
        return "304 Not Modified for ETag " + etag + ", no body";
    }

    private String authorization() throws Exception {
        HttpResponse<String> anonymous = lab.send("GET", "/api/orders/" + orderId, null, null);
        expect(anonymous, 401);
        check(
                anonymous.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"),
                "401 without a problem body");
        HttpResponse<String> other = lab.send("GET", "/api/orders/" + orderId, bob, null);
        expect(other, 404);
        return "no token: 401 problem+json; bob asking for alice's order: 404 (not 403: existence is not leaked)";
    }

    // --- one order, watched six ways ------------------------------------------------------------

    /** What one way of watching learned: when it saw each status, and what it cost. */
    private static final class Watch {
        final Map<String, Long> seenAtMillis = new LinkedHashMap<>();
        final AtomicInteger requests = new AtomicInteger();
        final long started = System.nanoTime();
        volatile Throwable failure;

        synchronized void saw(String status) {
            seenAtMillis.putIfAbsent(status, millisSince(started));
        }

        synchronized boolean delivered() {
            return seenAtMillis.containsKey("DELIVERED");
        }

        synchronized String describe() {
            return seenAtMillis + " after " + requests.get() + " request(s)";
        }
    }

    private String watch() throws Exception {
        String token = LabClient.query(watcher);
        LabClient.EventStream sse = lab.events("/api/notifications/stream?" + token, null);
        check(sse.status() == 200, "notification SSE answered " + sse.status());
        LabClient.Socket socket = lab.socket("/ws/notifications?" + token);
        LabClient.EventStream broadcast = lab.events("/api/stream/orders?" + token, null);
        check(broadcast.status() == 200, "stream SSE answered " + broadcast.status());

        HttpResponse<String> created =
                lab.send("POST", "/api/orders", watcher, ORDER_JSON, "Content-Type", "application/json");
        expect(created, 201);
        String id = LabClient.json(created.body()).get("id").getAsString();

        List<CompletableFuture<Void>> watchers = new ArrayList<>();
        watchers.add(watchWith("short poll", () -> poll(id, false)));
        watchers.add(watchWith("long poll", () -> poll(id, true)));
        watchers.add(watchWith("SSE", () -> {
            Watch watch = watches.get("SSE");
            while (!watch.delivered()) {
                LabClient.Event event = sse.await(e -> "notification".equals(e.name()), DELIVERY);
                JsonObject notification = event.json();
                if (id.equals(text(notification, "orderId"))) {
                    watch.saw(text(notification, "status"));
                    synchronized (notificationSeqs) {
                        notificationSeqs.add(notification.get("seq").getAsLong());
                    }
                }
            }
        }));
        watchers.add(watchWith("WebSocket", () -> {
            Watch watch = watches.get("WebSocket");
            while (!watch.delivered()) {
                JsonObject message = socket.await(m -> "notification".equals(text(m, "type")), DELIVERY);
                JsonObject notification = message.getAsJsonObject("notification");
                socket.send(
                        "{\"type\":\"ack\",\"seq\":" + notification.get("seq").getAsLong() + "}");
                if (id.equals(text(notification, "orderId"))) {
                    watch.saw(text(notification, "status"));
                }
            }
        }));
        watchers.add(watchWith("pub/sub", () -> {
            Watch watch = watches.get("pub/sub");
            while (!watch.delivered()) {
                JsonObject update =
                        broadcast.await(e -> "order".equals(e.name()), DELIVERY).json();
                if (id.equals(text(update, "orderId"))) {
                    watch.saw(text(update, "status"));
                }
            }
        }));
        watchers.add(watchWith("gRPC WatchOrder", () -> {
            Watch watch = watches.get("gRPC WatchOrder");
            watch.requests.incrementAndGet();
            Iterator<OrderUpdate> updates = OrderServiceGrpc.newBlockingStub(lab.grpc())
                    .withCallCredentials(LabClient.bearer(watcher))
                    .withDeadlineAfter(DELIVERY.toSeconds(), TimeUnit.SECONDS)
                    .watchOrder(WatchOrderRequest.newBuilder().setId(id).build());
            while (updates.hasNext() && !watch.delivered()) {
                watch.saw(updates.next().getStatus().name().replace("ORDER_STATUS_", ""));
            }
        }));
        CompletableFuture.allOf(watchers.toArray(CompletableFuture[]::new))
                .get(DELIVERY.toSeconds() + 5, TimeUnit.SECONDS);
        sse.close();
        socket.close();
        broadcast.close();
        return "order " + id.substring(0, 8) + "… went PENDING → DELIVERED; each way's view follows";
    }

    /** A way of watching the order, run on its own virtual thread until it has seen DELIVERED. */
    @FunctionalInterface
    private interface Watcher {
        void run() throws Exception;
    }

    private CompletableFuture<Void> watchWith(String name, Watcher body) {
        Watch watch = new Watch();
        watches.put(name, watch);
        return CompletableFuture.runAsync(
                () -> {
                    try {
                        body.run();
                    } catch (Throwable e) {
                        watch.failure = e;
                    }
                },
                runnable -> Thread.ofVirtual().name(name).start(runnable));
    }

    private void poll(String id, boolean wait) throws Exception {
        Watch watch = watches.get(wait ? "long poll" : "short poll");
        long version = 0;
        while (!watch.delivered()) {
            watch.requests.incrementAndGet();
            HttpResponse<String> response = lab.send(
                    "GET",
                    "/api/orders/" + id + "/status?after=" + version + (wait ? "&wait=PT25S" : ""),
                    watcher,
                    null);
            if (response.statusCode() == 200) {
                JsonObject status = LabClient.json(response.body());
                version = status.get("version").getAsLong();
                watch.saw(text(status, "status"));
            } else if (response.statusCode() != 304) {
                throw new AssertionError("poll answered " + response.statusCode() + ": " + response.body());
            } else if (!wait) {
                Thread.sleep(500); // a short poll asks again after an interval of its own choosing
            }
        }
    }

    private String watched(String name) {
        Watch watch = watches.get(name);
        if (watch == null) {
            throw new AssertionError("the watch step did not run");
        }
        if (watch.failure != null) {
            throw new AssertionError(watch.failure.getMessage(), watch.failure);
        }
        check(watch.delivered(), name + " never saw DELIVERED: " + watch.describe());
        return watch.describe();
    }

    // --- replay ---------------------------------------------------------------------------------

    /** The last notification sequences of the watched order: resume from before the last three. */
    private List<Long> missed() {
        synchronized (notificationSeqs) {
            check(notificationSeqs.size() >= 4, "the watch step saw too few notifications: " + notificationSeqs);
            return List.copyOf(notificationSeqs.subList(notificationSeqs.size() - 3, notificationSeqs.size()));
        }
    }

    private String sseReplay() throws Exception {
        List<Long> missed = missed();
        long resumeFrom = missed.getFirst() - 1;
        try (LabClient.EventStream sse =
                lab.events("/api/notifications/stream?" + LabClient.query(watcher), Long.toString(resumeFrom))) {
            List<Long> replayed = new ArrayList<>();
            for (int i = 0; i < missed.size(); i++) {
                replayed.add(Long.parseLong(sse.await(e -> "notification".equals(e.name()), Duration.ofSeconds(10))
                        .id()));
            }
            check(replayed.equals(missed), "replayed " + replayed + ", expected " + missed);
            return "reconnected with Last-Event-ID: " + resumeFrom + " and received " + replayed + ", in order";
        }
    }

    private String webSocketResume() throws Exception {
        List<Long> missed = missed();
        long resumeFrom = missed.getFirst() - 1;
        try (LabClient.Socket socket =
                lab.socket("/ws/notifications?" + LabClient.query(watcher) + "&after=" + resumeFrom)) {
            List<Long> replayed = new ArrayList<>();
            for (int i = 0; i < missed.size(); i++) {
                JsonObject message = socket.await(m -> "notification".equals(text(m, "type")), Duration.ofSeconds(10));
                replayed.add(message.getAsJsonObject("notification").get("seq").getAsLong());
            }
            check(replayed.equals(missed), "replayed " + replayed + ", expected " + missed);
            return "reconnected with ?after=" + resumeFrom + " and received " + replayed + ", in order";
        }
    }

    // --- gRPC -----------------------------------------------------------------------------------

    private OrderServiceGrpc.OrderServiceBlockingStub orders(String token) {
        return OrderServiceGrpc.newBlockingStub(lab.grpc())
                .withCallCredentials(LabClient.bearer(token))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static CreateOrderRequest createRequest(String sku) {
        return CreateOrderRequest.newBuilder()
                .addItems(LineItem.newBuilder().setSku(sku).setQuantity(1).setUnitPrice("9.99"))
                .setCurrencyCode("EUR")
                .build();
    }

    private String grpcUnary() {
        long started = System.nanoTime();
        Order created = orders(alice).createOrder(createRequest("GRPC-1"));
        Order read = orders(alice)
                .getOrder(GetOrderRequest.newBuilder().setId(created.getId()).build());
        check(read.getId().equals(created.getId()), "GetOrder returned another order");
        return "CreateOrder then GetOrder over h2c through the gateway in %d ms: %s %s %s"
                .formatted(
                        millisSince(started),
                        read.getStatus(),
                        read.getTotal().getAmount(),
                        read.getTotal().getCurrencyCode());
    }

    private String grpcNotFound() throws Exception {
        try {
            orders(bob).getOrder(GetOrderRequest.newBuilder().setId(orderId).build());
            throw new AssertionError("bob read alice's order over gRPC");
        } catch (StatusRuntimeException e) {
            check(e.getStatus().getCode() == Status.Code.NOT_FOUND, "expected NOT_FOUND, got " + e.getStatus());
            com.google.rpc.Status details = StatusProto.fromThrowable(e);
            check(details != null, "no grpc-status-details-bin came through the gateway");
            ResourceInfo resource = null;
            for (Any any : details.getDetailsList()) {
                if (any.is(ResourceInfo.class)) {
                    resource = any.unpack(ResourceInfo.class);
                }
            }
            check(resource != null, "no ResourceInfo among the details: " + details);
            return "NOT_FOUND \"" + e.getStatus().getDescription() + "\" with ResourceInfo{type="
                    + resource.getResourceType() + "}";
        }
    }

    private String grpcDeadline() {
        // a fresh order: it stays short of version 99 (and of a final status) for longer than the deadline
        String pending = orders(alice).createOrder(createRequest("DEADLINE-1")).getId();
        long started = System.nanoTime();
        try {
            OrderServiceGrpc.newBlockingStub(lab.grpc())
                    .withCallCredentials(LabClient.bearer(alice))
                    .withDeadlineAfter(1, TimeUnit.SECONDS)
                    .watchOrder(WatchOrderRequest.newBuilder()
                            .setId(pending)
                            .setAfterVersion(99)
                            .build())
                    .forEachRemaining(update -> {});
            throw new AssertionError("a watch for a version that never comes ended without an error");
        } catch (StatusRuntimeException e) {
            check(
                    e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED,
                    "expected DEADLINE_EXCEEDED, got " + e.getStatus());
            return "WatchOrder with a 1 s deadline ended DEADLINE_EXCEEDED after " + millisSince(started) + " ms";
        }
    }

    private String grpcImport() throws Exception {
        CompletableFuture<ImportOrdersSummary> summary = new CompletableFuture<>();
        StreamObserver<CreateOrderRequest> requests = OrderServiceGrpc.newStub(lab.grpc())
                .withCallCredentials(LabClient.bearer(alice))
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .importOrders(observer(summary));
        requests.onNext(createRequest("IMPORT-1"));
        requests.onNext(createRequest("IMPORT-2"));
        requests.onNext(CreateOrderRequest.newBuilder().setCurrencyCode("EUR").build()); // no items: rejected
        requests.onCompleted();
        ImportOrdersSummary result = summary.get(15, TimeUnit.SECONDS);
        check(result.getCreated() == 2 && result.getRejected() == 1, "unexpected summary " + result);
        return "streamed 3 requests, one summary: received %d, created %d, rejected %d (%s)"
                .formatted(
                        result.getReceived(),
                        result.getCreated(),
                        result.getRejected(),
                        result.getErrors(0).getReason());
    }

    private String grpcTrack() throws Exception {
        BlockingQueue<OrderUpdate> updates = new LinkedBlockingQueue<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        StreamObserver<TrackOrdersRequest> requests = OrderServiceGrpc.newStub(lab.grpc())
                .withCallCredentials(LabClient.bearer(alice))
                .withDeadlineAfter(15, TimeUnit.SECONDS)
                .trackOrders(collecting(updates, done));
        requests.onNext(TrackOrdersRequest.newBuilder().setAdd(orderId).build());
        OrderUpdate first = updates.poll(10, TimeUnit.SECONDS);
        check(first != null && first.getId().equals(orderId), "no update for the tracked order");
        requests.onNext(TrackOrdersRequest.newBuilder().setRemove(orderId).build());
        requests.onCompleted();
        done.get(10, TimeUnit.SECONDS);
        return "added an order mid-stream, got its state (" + first.getStatus() + " v" + first.getVersion()
                + "), removed it, half-closed; the server completed the call";
    }

    private String grpcSubscribe() throws Exception {
        BlockingQueue<StreamMessage> messages = new LinkedBlockingQueue<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        StreamObserver<SubscribeRequest> requests = StreamServiceGrpc.newStub(lab.grpc())
                .withCallCredentials(LabClient.bearer(alice))
                .withDeadlineAfter(20, TimeUnit.SECONDS)
                .subscribe(collecting(messages, done));
        requests.onNext(SubscribeRequest.newBuilder().addAdd(Topic.TOPIC_ORDERS).build());
        awaitMessage(messages, StreamMessage::hasSubscribed);
        String id = LabClient.json(
                        lab.send("POST", "/api/orders", alice, ORDER_JSON, "Content-Type", "application/json")
                                .body())
                .get("id")
                .getAsString();
        StreamMessage event = awaitMessage(
                messages, m -> m.hasOrder() && m.getOrder().getOrderId().equals(id));
        requests.onNext(
                SubscribeRequest.newBuilder().addRemove(Topic.TOPIC_ORDERS).build());
        StreamMessage now = awaitMessage(messages, StreamMessage::hasSubscribed);
        requests.onCompleted();
        return "subscribed to orders, saw " + event.getOrder().getType() + " for a new order, unsubscribed (topics now "
                + now.getSubscribed().getTopicsList() + ")";
    }

    private static StreamMessage awaitMessage(
            BlockingQueue<StreamMessage> messages, java.util.function.Predicate<StreamMessage> wanted)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            StreamMessage message = messages.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (message != null && wanted.test(message)) {
                return message;
            }
        }
        throw new AssertionError("no matching stream message within 15 s");
    }

    private static <T> StreamObserver<T> observer(CompletableFuture<T> result) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                result.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                result.complete(null);
            }
        };
    }

    private static <T> StreamObserver<T> collecting(BlockingQueue<T> into, CompletableFuture<Void> done) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                into.add(value);
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                done.complete(null);
            }
        };
    }

    private String transcoding() throws Exception {
        HttpResponse<String> response = lab.send("GET", "/rpc/orders/" + orderId, alice, null);
        expect(response, 200);
        JsonObject order = LabClient.json(response.body());
        check(orderId.equals(text(order, "id")), "transcoded another order: " + response.body());
        return "GET /rpc/orders/{id} became order.v1.OrderService/GetOrder: " + response.body();
    }

    // --- HTTP versions and TLS ------------------------------------------------------------------

    private String protocol(String flag, URI base, String expected) {
        List<String> args = new ArrayList<>(List.of(flag, "-m", "10", "-H", "Authorization: Bearer " + alice));
        addTrust(args, base);
        args.add(base.resolve("/api/orders/" + orderId).toString());
        HttpCommand.Exchange exchange =
                HttpCommand.exchange(HttpCommand.Options.parse(args.toArray(String[]::new)), s -> {});
        check(exchange.status() == 200, "answered " + exchange.status() + ": " + exchange.body());
        String seen = exchange.headers().getOrDefault("x-protocol", "(no x-protocol header)");
        check(seen.startsWith(expected), "x-protocol says " + seen + ", expected " + expected);
        return exchange.describe() + "; the gateway saw " + seen;
    }

    private void addTrust(List<String> args, URI base) {
        if ("https".equals(base.getScheme())) {
            check(
                    Files.isRegularFile(target.caCert()),
                    "no development CA at " + target.caCert() + " (the gateway writes it at first start)");
            args.add("--cacert");
            args.add(target.caCert().toString());
        }
    }

    private String http2Tls13() {
        List<String> args =
                new ArrayList<>(List.of("--http2", "--tlsv1.3", "-m", "10", "-H", "Authorization: Bearer " + alice));
        addTrust(args, target.https());
        args.add(target.https().resolve("/api/orders/" + orderId).toString());
        HttpCommand.Exchange exchange =
                HttpCommand.exchange(HttpCommand.Options.parse(args.toArray(String[]::new)), s -> {});
        check(exchange.status() == 200, "answered " + exchange.status());
        check("TLSv1.3".equals(exchange.tlsProtocol()), "negotiated " + exchange.tlsProtocol());
        check(exchange.protocol().startsWith("HTTP/2"), "ALPN chose " + exchange.protocol());
        String altSvc = exchange.headers().get("alt-svc");
        check(altSvc != null && altSvc.contains("h3"), "no Alt-Svc offering h3: " + altSvc);
        return exchange.describe() + "; Alt-Svc: " + altSvc;
    }

    private String tls12() {
        List<String> args =
                new ArrayList<>(List.of("--http2", "--tlsv1.2", "-m", "10", "-H", "Authorization: Bearer " + alice));
        addTrust(args, target.https());
        args.add(target.https().resolve("/api/orders/" + orderId).toString());
        HttpCommand.Exchange exchange =
                HttpCommand.exchange(HttpCommand.Options.parse(args.toArray(String[]::new)), s -> {});
        check(exchange.status() == 200, "answered " + exchange.status());
        check("TLSv1.2".equals(exchange.tlsProtocol()), "negotiated " + exchange.tlsProtocol());
        return exchange.describe();
    }

    /**
     * A client that offers only TLS 1.1 must be turned away by the server. The JDK refuses TLS 1.1 on its
     * own side by default, which would prove nothing about the gateway, so the tour re-enables it before
     * any TLS class loads ({@link #allowLegacyTlsInThisClient}) and offers CBC suites TLS 1.1 can use.
     * Only an alert from the server counts as a refusal.
     */
    private String tls11Refused() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new javax.net.ssl.TrustManager[] {new TrustingManager()}, null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
            socket.connect(
                    new InetSocketAddress(
                            target.https().getHost(), target.https().getPort()),
                    5000);
            socket.setSoTimeout(5000);
            socket.setEnabledProtocols(new String[] {"TLSv1.1"});
            socket.setEnabledCipherSuites(new String[] {
                "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
                "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
                "TLS_RSA_WITH_AES_128_CBC_SHA"
            });
            socket.startHandshake();
            throw new AssertionError(
                    "the gateway accepted TLS 1.1 (" + socket.getSession().getCipherSuite() + ")");
        } catch (SSLHandshakeException e) {
            check(
                    e.getMessage() != null && e.getMessage().contains("Received fatal alert"),
                    "the handshake failed on this side, which proves nothing about the server: " + e.getMessage());
            return "a TLS 1.1-only ClientHello was answered with an alert: " + e.getMessage();
        }
    }

    /** Lets this JVM offer TLS 1.1 (for {@link #tls11Refused}); must run before any TLS class loads. */
    public static void allowLegacyTlsInThisClient() {
        java.security.Security.setProperty("jdk.tls.disabledAlgorithms", "SSLv3, RC4, DES, NULL, anon");
    }

    /** Trusts any certificate: only for the TLS 1.1 probe, which must fail before certificates matter. */
    private static final class TrustingManager implements javax.net.ssl.X509TrustManager {
        @Override
        public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

        @Override
        public java.security.cert.X509Certificate[] getAcceptedIssuers() {
            return new java.security.cert.X509Certificate[0];
        }
    }

    // --- stream-service: WebSocket and WebRTC signaling ------------------------------------------

    private String streamWebSocket() throws Exception {
        try (LabClient.Socket socket = lab.socket("/ws/stream?" + LabClient.query(alice))) {
            socket.send("{\"type\":\"subscribe\",\"topics\":[\"orders\"]}");
            // events published before the subscription took effect are not for this subscriber
            socket.await(m -> "subscribed".equals(text(m, "type")), Duration.ofSeconds(5));
            String id = LabClient.json(
                            lab.send("POST", "/api/orders", alice, ORDER_JSON, "Content-Type", "application/json")
                                    .body())
                    .get("id")
                    .getAsString();
            JsonObject event = socket.await(
                    m -> "event".equals(text(m, "type")) && id.equals(text(m.getAsJsonObject("data"), "orderId")),
                    Duration.ofSeconds(15));
            return "subscribed to orders and received " + text(event.getAsJsonObject("data"), "type") + " for "
                    + id.substring(0, 8) + "…";
        }
    }

    private String signaling() throws Exception {
        String room = "tour-" + UUID.randomUUID().toString().substring(0, 8);
        try (LabClient.Socket first = lab.socket("/ws/signal?" + LabClient.query(alice));
                LabClient.Socket second = lab.socket("/ws/signal?" + LabClient.query(bob))) {
            first.send("{\"type\":\"join\",\"room\":\"" + room + "\"}");
            String firstId = text(first.await(m -> "joined".equals(text(m, "type")), Duration.ofSeconds(5)), "peerId");
            second.send("{\"type\":\"join\",\"room\":\"" + room + "\"}");
            JsonObject joined = second.await(m -> "joined".equals(text(m, "type")), Duration.ofSeconds(5));
            check(joined.getAsJsonArray("peers").size() == 1, "the second peer should see the first: " + joined);
            second.send("{\"type\":\"offer\",\"to\":\"" + firstId + "\",\"sdp\":\"v=0 (a tour offer)\"}");
            JsonObject offer = first.await(m -> "offer".equals(text(m, "type")), Duration.ofSeconds(5));
            check(text(joined, "peerId").equals(text(offer, "from")), "the offer came from someone else: " + offer);
            return "two peers joined room " + room + "; the offer reached only the addressed peer, from "
                    + text(offer, "from");
        }
    }

    // --- webhooks and rate limits ---------------------------------------------------------------

    private String webhook() throws Exception {
        BlockingQueue<Map<String, String>> received = new LinkedBlockingQueue<>();
        com.sun.net.httpserver.HttpServer receiver =
                com.sun.net.httpserver.HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            Map<String, String> delivery = new LinkedHashMap<>();
            delivery.put("webhook-id", exchange.getRequestHeaders().getFirst("webhook-id"));
            delivery.put("webhook-timestamp", exchange.getRequestHeaders().getFirst("webhook-timestamp"));
            delivery.put("webhook-signature", exchange.getRequestHeaders().getFirst("webhook-signature"));
            delivery.put("body", new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            received.add(delivery);
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        try {
            String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
            HttpResponse<String> registered = lab.send(
                    "POST", "/api/webhooks", alice, "{\"url\":\"" + url + "\"}", "Content-Type", "application/json");
            expect(registered, 201);
            JsonObject subscription = LabClient.json(registered.body());
            String secret = text(subscription, "secret");
            lab.send("POST", "/api/orders", alice, ORDER_JSON, "Content-Type", "application/json");
            Map<String, String> delivery = received.poll(30, TimeUnit.SECONDS);
            check(delivery != null, "no webhook delivery within 30 s");
            String signed =
                    delivery.get("webhook-id") + "." + delivery.get("webhook-timestamp") + "." + delivery.get("body");
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.replaceFirst("^whsec_", "")), "HmacSHA256"));
            String expected =
                    "v1," + Base64.getEncoder().encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
            check(
                    List.of(delivery.get("webhook-signature").split(" ")).contains(expected),
                    "the signature does not verify with the shared secret");
            lab.send("DELETE", "/api/webhooks/" + text(subscription, "id"), alice, null);
            return "registered " + url + "; received webhook-id " + delivery.get("webhook-id")
                    + " and verified its HMAC-SHA256 signature";
        } finally {
            receiver.stop(0);
        }
    }

    private String rateLimit() throws Exception {
        String token = lab.token("tour-" + UUID.randomUUID().toString().substring(0, 8));
        for (int i = 1; i <= 200; i++) {
            HttpResponse<String> response = lab.send("GET", "/api/orders?size=1", token, null);
            if (response.statusCode() == 429) {
                String retryAfter = response.headers().firstValue("Retry-After").orElse(null);
                check(retryAfter != null, "429 without Retry-After");
                return "request %d answered 429, Retry-After: %s, RateLimit-Policy: %s"
                        .formatted(
                                i,
                                retryAfter,
                                response.headers()
                                        .firstValue("RateLimit-Policy")
                                        .orElse("(none)"));
            }
            expect(response, 200);
        }
        throw new AssertionError("200 requests in a row were all allowed");
    }

    // --- helpers --------------------------------------------------------------------------------

    private static String text(JsonObject object, String field) {
        return object != null && object.has(field) && !object.get(field).isJsonNull()
                ? object.get(field).getAsString()
                : "";
    }

    private static void expect(HttpResponse<String> response, int status) {
        if (response.statusCode() != status) {
            throw new AssertionError(
                    response.request().method() + " " + response.uri().getPath() + " answered " + response.statusCode()
                            + " (expected " + status + "): " + response.body());
        }
    }

    private static void check(boolean condition, String failure) {
        if (!condition) {
            throw new AssertionError(failure);
        }
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }

    @Override
    public void close() {
        lab.close();
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        URI http = URI.create("http://localhost:8080");
        URI https = URI.create("https://localhost:8443");
        Path ca = Path.of(".suite/gateway/certs/ca.pem");
        String only = null;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--gateway" -> http = URI.create(require(value, args[i++]));
                case "--tls" -> https = URI.create(require(value, args[i++]));
                case "--cacert" -> ca = Path.of(require(value, args[i++]));
                case "--only" -> only = require(value, args[i++]);
                default -> {
                    err.println("unknown argument " + args[i] + "\n" + USAGE);
                    return 2;
                }
            }
        }
        allowLegacyTlsInThisClient();
        out.println("Protocol Lab tour against " + http + " and " + https + "\n");
        try (Tour tour = new Tour(new Target(http, https, ca))) {
            return tour.run(out, only);
        }
    }

    private static String require(String value, String flag) {
        if (value == null) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return value;
    }
}
