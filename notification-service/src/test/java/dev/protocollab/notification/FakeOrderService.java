package dev.protocollab.notification;

import dev.protocollab.contracts.order.v1.GetOrderRequest;
import dev.protocollab.contracts.order.v1.LineItem;
import dev.protocollab.contracts.order.v1.Money;
import dev.protocollab.contracts.order.v1.Order;
import dev.protocollab.contracts.order.v1.OrderServiceGrpc;
import dev.protocollab.contracts.order.v1.OrderStatus;
import dev.protocollab.testsupport.TcpProxy;
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
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/**
 * A real gRPC server implementing {@code order.v1.OrderService/GetOrder} the way order-service does for a
 * service token: it verifies the bearer JWT against the issuer's JWKS and requires scope
 * {@code orders:read}. Tests make it slow, fail the next calls with a status, or take it down (the proxy
 * in front refuses connections, as a stopped server's port would).
 */
public final class FakeOrderService extends OrderServiceGrpc.OrderServiceImplBase implements AutoCloseable {

    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<Jwt> CALLER = Context.key("caller");

    private final JwtDecoder decoder;
    private final Server server;
    private final TcpProxy proxy;
    private final ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();
    private final AtomicInteger calls = new AtomicInteger();
    private final Queue<Status> failures = new ConcurrentLinkedQueue<>();
    private final List<Jwt> callers = new CopyOnWriteArrayList<>();
    private volatile Duration delay = Duration.ZERO;

    private FakeOrderService(URI jwksUri) throws IOException {
        this.decoder = NimbusJwtDecoder.withJwkSetUri(jwksUri.toString()).build();
        this.server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .addService(ServerInterceptors.intercept(this, new Authentication()))
                .build()
                .start();
        this.proxy = TcpProxy.start("127.0.0.1", server.getPort());
    }

    static FakeOrderService start(URI jwksUri) {
        try {
            return new FakeOrderService(jwksUri);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What order-service does with a service token: verify it, and require {@code orders:read}. */
    private final class Authentication implements ServerInterceptor {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(
                ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            String authorization = headers.get(AUTHORIZATION);
            Jwt jwt;
            try {
                if (authorization == null || !authorization.startsWith("Bearer ")) {
                    throw new JwtException("no bearer token");
                }
                jwt = decoder.decode(authorization.substring(7));
            } catch (JwtException e) {
                call.close(Status.UNAUTHENTICATED.withDescription(e.getMessage()), new Metadata());
                return new ServerCall.Listener<>() {};
            }
            if (!Set.of(String.valueOf(jwt.getClaims().get("scope")).split(" ")).contains("orders:read")) {
                call.close(Status.PERMISSION_DENIED.withDescription("needs orders:read"), new Metadata());
                return new ServerCall.Listener<>() {};
            }
            return Contexts.interceptCall(Context.current().withValue(CALLER, jwt), call, headers, next);
        }
    }

    /** The address notification-service is configured with: the proxy in front of the server. */
    public String address() {
        return "static://127.0.0.1:" + proxy.port();
    }

    /** The server stops answering: connections are refused (and open ones reset) until {@link #up()}. */
    public void down() {
        proxy.disable();
    }

    public void up() {
        proxy.enable();
    }

    /** The next {@code times} calls fail with {@code code}. */
    public void failNext(Status.Code code, int times) {
        for (int i = 0; i < times; i++) {
            failures.add(code.toStatus().withDescription("injected by the test"));
        }
    }

    /** Every answer comes this late. */
    public void delay(Duration delay) {
        this.delay = delay;
    }

    public int calls() {
        return calls.get();
    }

    /** The verified tokens of every call that got past authentication. */
    public List<Jwt> callers() {
        return List.copyOf(callers);
    }

    public void reset() {
        up();
        failures.clear();
        delay = Duration.ZERO;
        calls.set(0);
        callers.clear();
    }

    @Override
    public void getOrder(GetOrderRequest request, StreamObserver<Order> answer) {
        calls.incrementAndGet();
        callers.add(CALLER.get());
        Status failure = failures.poll();
        if (failure != null) {
            answer.onError(failure.asRuntimeException());
            return;
        }
        Order order = Order.newBuilder()
                .setId(request.getId())
                .setCustomerId("someone")
                .setStatus(OrderStatus.ORDER_STATUS_CONFIRMED)
                .setVersion(2)
                .addItems(LineItem.newBuilder().setSku("BOOK-42").setQuantity(2).setUnitPrice("12.50"))
                .setTotal(Money.newBuilder().setAmount("25.00").setCurrencyCode("EUR"))
                .build();
        Runnable respond = () -> {
            answer.onNext(order);
            answer.onCompleted();
        };
        if (delay.isZero()) {
            respond.run();
        } else {
            later.schedule(respond, delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void close() throws InterruptedException {
        proxy.close();
        later.shutdownNow();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
