package dev.protocollab.gateway.grpc;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.getUriTemplateVariables;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.isAlreadyRouted;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.setAlreadyRouted;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.protocollab.contracts.order.v1.GetOrderRequest;
import dev.protocollab.contracts.order.v1.Order;
import dev.protocollab.contracts.order.v1.OrderServiceGrpc;
import dev.protocollab.gateway.web.EdgeResponses;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.NettyRoutingFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * JSON to gRPC transcoding for one unary method: {@code GET /rpc/orders/{id}} calls
 * {@code order.v1.OrderService/GetOrder} and answers the {@link Order} as proto3 JSON. It runs after the
 * load balancer chose an instance (so it is balanced like every other route) on routes with
 * {@code metadata.transcode: GetOrder}, forwards the caller's bearer token, request id and trace context as
 * gRPC metadata, and maps the gRPC status to an HTTP problem.
 *
 * <p>Spring Cloud Gateway's own {@code JsonToGrpc} filter needs a descriptor file and a TLS channel to the
 * backend; with the contract's generated stubs on the classpath this is shorter and type-checked.
 */
final class GetOrderTranscodingFilter implements GlobalFilter, Ordered, AutoCloseable {

    static final String METADATA_KEY = "transcode";
    private static final List<String> FORWARDED = List.of("authorization", "x-request-id", "traceparent", "tracestate");
    private static final JsonFormat.Printer JSON = JsonFormat.printer().omittingInsignificantWhitespace();

    private final Duration deadline;
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

    GetOrderTranscodingFilter(Duration deadline) {
        this.deadline = deadline;
    }

    /** After the load balancer (10150) and before both routing filters. */
    @Override
    public int getOrder() {
        return NettyRoutingFilter.ORDER - 2;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        Route route = exchange.getAttribute(GATEWAY_ROUTE_ATTR);
        if (route == null || !"GetOrder".equals(route.getMetadata().get(METADATA_KEY)) || isAlreadyRouted(exchange)) {
            return chain.filter(exchange);
        }
        setAlreadyRouted(exchange);
        URI target = exchange.getRequiredAttribute(GATEWAY_REQUEST_URL_ATTR);
        String id = getUriTemplateVariables(exchange).getOrDefault("id", "");
        Metadata metadata = new Metadata();
        HttpHeaders headers = exchange.getRequest().getHeaders();
        for (String name : FORWARDED) {
            String value = headers.getFirst(name);
            if (value != null) {
                metadata.put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER), value);
            }
        }
        OrderServiceGrpc.OrderServiceStub stub = OrderServiceGrpc.newStub(channel(target))
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(metadata))
                .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
        Mono<Order> call = Mono.create(
                sink -> stub.getOrder(GetOrderRequest.newBuilder().setId(id).build(), new StreamObserver<>() {
                    @Override
                    public void onNext(Order order) {
                        sink.success(order);
                    }

                    @Override
                    public void onError(Throwable error) {
                        sink.error(error);
                    }

                    @Override
                    public void onCompleted() {
                        sink.success();
                    }
                }));
        return call.flatMap(order -> writeJson(exchange, order))
                .onErrorResume(StatusRuntimeException.class, error -> problem(exchange, error.getStatus()));
    }

    private ManagedChannel channel(URI target) {
        return channels.computeIfAbsent(
                target.getHost() + ":" + target.getPort(),
                authority -> NettyChannelBuilder.forAddress(target.getHost(), target.getPort())
                        .usePlaintext()
                        .keepAliveTime(1, TimeUnit.MINUTES)
                        .idleTimeout(5, TimeUnit.MINUTES)
                        .build());
    }

    private static Mono<Void> writeJson(ServerWebExchange exchange, Order order) {
        String json;
        try {
            json = JSON.print(order);
        } catch (InvalidProtocolBufferException e) {
            return Mono.error(e);
        }
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(HttpStatus.OK);
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        response.getHeaders().set("x-transcoded-from", "order.v1.OrderService/GetOrder");
        return response.writeWith(Mono.just(response.bufferFactory().wrap(json.getBytes(StandardCharsets.UTF_8))));
    }

    private static Mono<Void> problem(ServerWebExchange exchange, Status status) {
        HttpStatus http = switch (status.getCode()) {
            case NOT_FOUND -> HttpStatus.NOT_FOUND;
            case INVALID_ARGUMENT -> HttpStatus.BAD_REQUEST;
            case UNAUTHENTICATED -> HttpStatus.UNAUTHORIZED;
            case PERMISSION_DENIED -> HttpStatus.FORBIDDEN;
            case UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
            case DEADLINE_EXCEEDED -> HttpStatus.GATEWAY_TIMEOUT;
            case RESOURCE_EXHAUSTED -> HttpStatus.TOO_MANY_REQUESTS;
            default -> HttpStatus.BAD_GATEWAY;
        };
        String detail = "order.v1.OrderService/GetOrder failed with " + status.getCode()
                + (status.getDescription() != null ? ": " + status.getDescription() : "");
        return EdgeResponses.problem(
                exchange,
                http,
                "grpc-" + status.getCode().name().toLowerCase().replace('_', '-'),
                http.getReasonPhrase(),
                detail);
    }

    @Override
    public void close() throws InterruptedException {
        for (ManagedChannel channel : channels.values()) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
