package dev.protocollab.gateway.grpc;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

import dev.protocollab.gateway.GatewayProperties;
import dev.protocollab.gateway.web.EdgeResponses;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.gateway.config.HttpClientProperties;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.NettyRoutingFilter;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;

/**
 * Routes gRPC to plaintext HTTP/2 backends (h2c with prior knowledge). Spring Cloud Gateway's routing
 * client speaks HTTP/1.1 to {@code http://} backends, which a gRPC server refuses (its issue 2474), and
 * making the shared client h2c would break WebSocket and SSE routes. So this is a second routing filter,
 * on the gateway's own client switched to H2C, that acts only on routes with {@code metadata.h2c: true}
 * and runs just before the stock one, which then finds the exchange already routed.
 *
 * <p>Deadlines: the client's {@code grpc-timeout} is forwarded; a call without one gets the configured
 * default so nothing through the gateway is unbounded. If the backend has not answered by the deadline
 * plus a grace period, the gateway answers DEADLINE_EXCEEDED itself.
 */
final class H2cRoutingFilter extends NettyRoutingFilter {

    static final String METADATA_KEY = "h2c";

    private final GatewayProperties.Grpc settings;

    H2cRoutingFilter(
            HttpClient httpClient,
            ObjectProvider<List<HttpHeadersFilter>> headersFilters,
            HttpClientProperties properties,
            GatewayProperties gatewayProperties) {
        super(httpClient.protocol(HttpProtocol.H2C), headersFilters, properties);
        this.settings = gatewayProperties.grpc();
    }

    @Override
    public int getOrder() {
        return NettyRoutingFilter.ORDER - 1;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        Route route = exchange.getAttribute(GATEWAY_ROUTE_ATTR);
        if (route == null || !isH2c(route)) {
            return chain.filter(exchange);
        }
        Duration requested =
                GrpcDeadlines.parse(exchange.getRequest().getHeaders().getFirst(GrpcDeadlines.HEADER));
        Duration timeout = requested != null ? requested : settings.defaultDeadline();
        exchange.getAttributes()
                .put(EdgeResponses.GRPC_DEADLINE_ATTRIBUTE, Instant.now().plus(timeout));
        ServerWebExchange bounded = requested != null
                ? exchange
                : exchange.mutate()
                        .request(request -> request.headers(
                                headers -> headers.set(GrpcDeadlines.HEADER, GrpcDeadlines.format(timeout))))
                        .build();
        Duration limit = timeout.plus(settings.deadlineGrace());
        return super.filter(bounded, chain)
                .timeout(
                        limit,
                        Mono.error(() -> new ResponseStatusException(
                                HttpStatus.GATEWAY_TIMEOUT, "no answer within the call's deadline")));
    }

    static boolean isH2c(Route route) {
        Object flag = route.getMetadata().get(METADATA_KEY);
        return flag != null && Boolean.parseBoolean(flag.toString());
    }
}
