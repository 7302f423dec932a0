package dev.protocollab.gateway;

import com.google.protobuf.Any;
import com.google.protobuf.Timestamp;
import com.google.rpc.ErrorInfo;
import dev.protocollab.contracts.order.v1.CreateOrderRequest;
import dev.protocollab.contracts.order.v1.GetOrderRequest;
import dev.protocollab.contracts.order.v1.ImportOrdersSummary;
import dev.protocollab.contracts.order.v1.Order;
import dev.protocollab.contracts.order.v1.OrderServiceGrpc;
import dev.protocollab.contracts.order.v1.OrderStatus;
import dev.protocollab.contracts.order.v1.OrderUpdate;
import dev.protocollab.contracts.order.v1.TrackOrdersRequest;
import dev.protocollab.contracts.order.v1.WatchOrderRequest;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistrar;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.WebsocketServerSpec;
import reactor.netty.resources.LoopResources;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Small upstreams the gateway under test routes to, started once per JVM: two order-service REST
 * instances sharing one order store (as two instances share a database), an order.v1 gRPC server from
 * the contract's stubs, two notification-service instances (SSE and WebSocket) and a stream-service
 * REST stub. They behave like the real services where the gateway's behaviour depends on it: orders
 * belong to the token's subject (and, like order-service's development mode, to {@code X-Customer-Id}
 * if that header arrives), errors carry details. The gRPC route for stream.v1 points at a closed port:
 * that service is down.
 */
public final class Backends {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static Backends instance;

    /** Orders by id, with their owner: shared by both REST instances and the gRPC server. */
    private final Map<String, String> owners = new ConcurrentHashMap<>();

    private final RestInstance ordersA = new RestInstance("orders-a", this::orders);
    private final RestInstance ordersB = new RestInstance("orders-b", this::orders);
    private final RestInstance notificationsA = new RestInstance("notifications-a", this::notifications);
    private final RestInstance notificationsB = new RestInstance("notifications-b", this::notifications);
    private final RestInstance stream = new RestInstance("stream", this::stream);
    private final Server grpc;
    private final int closedPort;
    private final AtomicReference<Metadata> lastGrpcHeaders = new AtomicReference<>();
    private final Sinks.Many<String> notificationEvents =
            Sinks.many().multicast().directBestEffort();

    private Backends() {
        ordersA.start();
        ordersB.start();
        notificationsA.start();
        notificationsB.start();
        stream.start();
        try {
            grpc = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                    .addService(ServerInterceptors.intercept(new Orders(), new CaptureHeaders()))
                    .build()
                    .start();
            try (var probe = new java.net.ServerSocket(0)) {
                closedPort = probe.getLocalPort();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static synchronized Backends get() {
        if (instance == null) {
            instance = new Backends();
        }
        return instance;
    }

    public RestInstance ordersA() {
        return ordersA;
    }

    public RestInstance ordersB() {
        return ordersB;
    }

    public RestInstance notificationsA() {
        return notificationsA;
    }

    public RestInstance notificationsB() {
        return notificationsB;
    }

    /** Sends one SSE event to every client of {@code /api/notifications/stream}, on whichever instance. */
    public void emitNotification(String data) {
        notificationEvents.tryEmitNext(data);
    }

    /** The metadata of the last gRPC call the order.v1 server received. */
    public Metadata lastGrpcHeaders() {
        return lastGrpcHeaders.get();
    }

    /** An order owned by {@code owner}, known to every order backend. */
    public String newOrder(String owner) {
        String id = UUID.randomUUID().toString();
        owners.put(id, owner);
        return id;
    }

    void register(org.springframework.test.context.DynamicPropertyRegistry registry) {
        registry.add("gateway.upstreams.order-service", () -> ordersA.url() + "," + ordersB.url());
        registry.add("gateway.upstreams.order-grpc", () -> "http://127.0.0.1:" + grpc.getPort());
        registry.add("gateway.upstreams.notification-service", () -> notificationsA.url() + "," + notificationsB.url());
        registry.add("gateway.upstreams.stream-service", stream::url);
        registry.add("gateway.upstreams.stream-grpc", () -> "http://127.0.0.1:" + closedPort);
    }

    /** Puts the backends into the gateway's configuration; import into the test context. */
    @TestConfiguration(proxyBeanMethods = false)
    public static class Configuration {

        @Bean
        DynamicPropertyRegistrar backendUpstreams() {
            return Backends.get()::register;
        }
    }

    // ---------------------------------------------------------------- order-service (REST)

    private Mono<Void> orders(RestInstance self, HttpServerRequest request, HttpServerResponse response) {
        String path = request.path();
        String caller = caller(request);
        self.requests.incrementAndGet();
        if (path.equals("api/orders/echo")) {
            Map<String, Object> echo = new LinkedHashMap<>();
            request.requestHeaders().forEach(header -> echo.put(header.getKey().toLowerCase(), header.getValue()));
            echo.put("instance", self.name);
            return json(response, 200, echo);
        }
        if (path.equals("api/orders/slow")) {
            // a hung service: answers long after any timeout of the gateway
            return Mono.delay(Duration.ofSeconds(30)).then(json(response, 200, Map.of("late", true)));
        }
        if (path.endsWith("/status")) {
            // a long poll that sees no change: 304 when its ?wait= runs out
            String wait = new QueryStringDecoder(request.uri())
                    .parameters()
                    .getOrDefault("wait", List.of("PT0S"))
                    .getFirst();
            return Mono.delay(Duration.parse(wait)).then(response.status(304).send());
        }
        if (path.equals("api/orders") && request.method().name().equals("POST")) {
            String id = newOrder(caller);
            return json(response, 201, order(id, caller, self.name));
        }
        if (path.startsWith("api/orders/") && request.method().name().equals("GET")) {
            String id = path.substring("api/orders/".length());
            if (caller == null || !caller.equals(owners.get(id))) {
                return json(
                        response,
                        404,
                        Map.of("type", "order-not-found", "title", "Order not found", "status", 404, "detail", id));
            }
            return json(response, 200, order(id, caller, self.name));
        }
        return json(response, 404, Map.of("title", "Not found", "status", 404));
    }

    private static Map<String, Object> order(String id, String owner, String instance) {
        return Map.of("id", id, "customerId", owner, "status", "PENDING", "version", 1, "instance", instance);
    }

    /** Like order-service: the verified token's subject, or the development header if one arrives. */
    private static String caller(HttpServerRequest request) {
        String development = request.requestHeaders().get("X-Customer-Id");
        if (development != null) {
            return development;
        }
        return subject(request.requestHeaders().get("Authorization"));
    }

    /** The gateway verified the token; a backend stub only needs to read its subject. */
    static String subject(String authorization) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return null;
        }
        String[] parts = authorization.substring(7).split("\\.");
        if (parts.length < 2) {
            return null;
        }
        JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
        return claims.path("sub").asString(null);
    }

    // ---------------------------------------------------------------- notification-service

    private Mono<Void> notifications(RestInstance self, HttpServerRequest request, HttpServerResponse response) {
        self.requests.incrementAndGet();
        if (request.path().equals("api/notifications/stream")) {
            Flux<String> events =
                    notificationEvents.asFlux().map(data -> "event: notification\ndata: " + data + "\n\n");
            return response.header("Content-Type", "text/event-stream")
                    .header("Cache-Control", "no-cache")
                    .sendString(Flux.concat(Flux.just(": connected to " + self.name + "\n\n"), events))
                    .then();
        }
        return json(response, 200, Map.of("notifications", java.util.List.of(), "lastSeq", 0, "instance", self.name));
    }

    // ---------------------------------------------------------------- stream-service

    private Mono<Void> stream(RestInstance self, HttpServerRequest request, HttpServerResponse response) {
        self.requests.incrementAndGet();
        return json(response, 200, Map.of("instance", self.name, "path", request.path()));
    }

    /**
     * Like a Spring resource server (RFC 6750 §2: one method per request), a backend refuses a request that
     * carries a token both in the Authorization header and as {@code ?access_token=}.
     */
    private static boolean twoTokens(HttpServerRequest request) {
        return request.requestHeaders().contains("Authorization")
                && request.uri().contains("access_token=");
    }

    private static Mono<Void> refuseTwoTokens(HttpServerResponse response) {
        return json(
                response,
                400,
                Map.of("title", "Bad Request", "status", 400, "detail", "Found multiple bearer tokens in the request"));
    }

    private static Mono<Void> json(HttpServerResponse response, int status, Object body) {
        return response.status(status)
                .header("Content-Type", status >= 400 ? "application/problem+json" : "application/json")
                .sendByteArray(Mono.just(JSON.writeValueAsBytes(body)))
                .then();
    }

    /** Larger than any service's limit, so a frame-size refusal seen through the gateway is the gateway's. */
    private static final WebsocketServerSpec LARGE_FRAMES =
            WebsocketServerSpec.builder().maxFramePayloadLength(1 << 20).build();

    /** One HTTP instance; {@link #stop()} and {@link #start()} again on the same port, as a restart would. */
    public static final class RestInstance {

        private final String name;
        private final Handler handler;
        private final AtomicInteger requests = new AtomicInteger();
        private volatile int port;
        private volatile DisposableServer server;
        private volatile LoopResources loops;

        interface Handler {
            Mono<Void> handle(RestInstance self, HttpServerRequest request, HttpServerResponse response);
        }

        RestInstance(String name, Handler handler) {
            this.name = name;
            this.handler = handler;
        }

        public synchronized void start() {
            if (server != null) {
                return;
            }
            // own event loops, so stop() can end open keep-alive connections too, as a dying process does
            loops = LoopResources.create(name, 1, true);
            server = HttpServer.create()
                    .runOn(loops)
                    .host("127.0.0.1")
                    .port(port)
                    .route(routes -> routes.get(
                                    "/ws/notifications",
                                    (request, response) -> twoTokens(request)
                                            ? refuseTwoTokens(response)
                                            : response.sendWebsocket(
                                                    (in, out) -> out.sendString(Flux.concat(
                                                            Mono.just(JSON.writeValueAsString(Map.of(
                                                                    "type",
                                                                    "hello",
                                                                    "instance",
                                                                    name,
                                                                    "uri",
                                                                    request.uri()))),
                                                            in.receive()
                                                                    .asString()
                                                                    .map(text -> "{\"type\":\"echo\",\"instance\":\""
                                                                            + name + "\",\"text\":"
                                                                            + JSON.writeValueAsString(text) + "}"))),
                                                    LARGE_FRAMES))
                            .route(
                                    request -> true,
                                    (request, response) -> twoTokens(request)
                                            ? refuseTwoTokens(response)
                                            : handler.handle(this, request, response)))
                    .bindNow(Duration.ofSeconds(10));
            port = server.port();
        }

        public synchronized void stop() {
            if (server != null) {
                server.disposeNow(Duration.ofSeconds(5));
                server = null;
                loops.disposeLater(Duration.ZERO, Duration.ofSeconds(5)).block(Duration.ofSeconds(10));
            }
        }

        public String name() {
            return name;
        }

        public int requests() {
            return requests.get();
        }

        String url() {
            return "http://127.0.0.1:" + port;
        }
    }

    // ---------------------------------------------------------------- order-service (gRPC)

    private static final Context.Key<String> SUBJECT = Context.key("subject");
    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    /** Keeps the call's metadata for assertions and puts the token's subject into the gRPC context. */
    private final class CaptureHeaders implements ServerInterceptor {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(
                ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            lastGrpcHeaders.set(headers);
            Context context = Context.current().withValue(SUBJECT, subject(headers.get(AUTHORIZATION)));
            return Contexts.interceptCall(context, call, headers, next);
        }
    }

    /** order.v1 as far as the gateway's tests need it: ownership, details on errors, every call kind. */
    private final class Orders extends OrderServiceGrpc.OrderServiceImplBase {

        @Override
        public void createOrder(CreateOrderRequest request, StreamObserver<Order> response) {
            String owner = SUBJECT.get();
            String id = newOrder(owner);
            response.onNext(grpcOrder(id, owner));
            response.onCompleted();
        }

        @Override
        public void getOrder(GetOrderRequest request, StreamObserver<Order> response) {
            if (request.getId().equals("slow")) {
                return; // never answers: the caller's deadline must end it
            }
            String owner = owners.get(request.getId());
            if (owner == null || !owner.equals(SUBJECT.get())) {
                Metadata trailers = new Metadata();
                trailers.put(Metadata.Key.of("x-error-hint", Metadata.ASCII_STRING_MARSHALLER), "check-the-id");
                com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
                        .setCode(Status.Code.NOT_FOUND.value())
                        .setMessage("order " + request.getId() + " not found")
                        .addDetails(Any.pack(ErrorInfo.newBuilder()
                                .setReason("ORDER_NOT_FOUND")
                                .setDomain("orders.protocol-lab.dev")
                                .putMetadata("orderId", request.getId())
                                .build()))
                        .build();
                response.onError(StatusProto.toStatusRuntimeException(status, trailers));
                return;
            }
            response.onNext(grpcOrder(request.getId(), owner));
            response.onCompleted();
        }

        @Override
        public void watchOrder(WatchOrderRequest request, StreamObserver<OrderUpdate> response) {
            for (int version = 1; version <= 3; version++) {
                response.onNext(OrderUpdate.newBuilder()
                        .setId(request.getId())
                        .setVersion(version)
                        .setStatus(OrderStatus.forNumber(version))
                        .build());
            }
            response.onCompleted();
        }

        @Override
        public StreamObserver<CreateOrderRequest> importOrders(StreamObserver<ImportOrdersSummary> response) {
            AtomicInteger received = new AtomicInteger();
            return new StreamObserver<>() {
                @Override
                public void onNext(CreateOrderRequest value) {
                    received.incrementAndGet();
                }

                @Override
                public void onError(Throwable t) {}

                @Override
                public void onCompleted() {
                    response.onNext(ImportOrdersSummary.newBuilder()
                            .setReceived(received.get())
                            .setCreated(received.get())
                            .build());
                    response.onCompleted();
                }
            };
        }

        @Override
        public StreamObserver<TrackOrdersRequest> trackOrders(StreamObserver<OrderUpdate> response) {
            return new StreamObserver<>() {
                @Override
                public void onNext(TrackOrdersRequest value) {
                    if (value.hasAdd()) {
                        response.onNext(OrderUpdate.newBuilder()
                                .setId(value.getAdd())
                                .setStatus(OrderStatus.ORDER_STATUS_PENDING)
                                .setVersion(1)
                                .build());
                    }
                }

                @Override
                public void onError(Throwable t) {}

                @Override
                public void onCompleted() {
                    response.onCompleted();
                }
            };
        }
    }

    private static Order grpcOrder(String id, String owner) {
        long now = TimeUnit.MILLISECONDS.toSeconds(System.currentTimeMillis());
        return Order.newBuilder()
                .setId(id)
                .setCustomerId(owner == null ? "" : owner)
                .setStatus(OrderStatus.ORDER_STATUS_PENDING)
                .setVersion(1)
                .setCreatedAt(Timestamp.newBuilder().setSeconds(now))
                .setUpdatedAt(Timestamp.newBuilder().setSeconds(now))
                .build();
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
