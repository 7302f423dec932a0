package dev.protocollab.gateway.observability;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatusCode;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * One access-log line per request (logger {@code access}: protocol, method, path, status, latency,
 * route, request id) and the {@code gateway.requests} timer tagged by protocol, so HTTP/1.1, h2, h2c and
 * h3 traffic can be told apart in Prometheus. Also answers {@code x-protocol} so a user sees the
 * negotiated protocol at a glance.
 */
@Component
class AccessLogFilter implements WebFilter, Ordered {

    static final String PROTOCOL_HEADER = "x-protocol";
    private static final Logger access = LoggerFactory.getLogger("access");

    private final MeterRegistry meters;

    AccessLogFilter(MeterRegistry meters) {
        this.meters = meters;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        long start = System.nanoTime();
        String protocol = Protocols.of(exchange.getRequest());
        exchange.getResponse().getHeaders().set(PROTOCOL_HEADER, protocol);
        return chain.filter(exchange).doFinally(signal -> {
            long nanos = System.nanoTime() - start;
            HttpStatusCode status = exchange.getResponse().getStatusCode();
            int code = status == null ? 200 : status.value();
            Route route = exchange.getAttribute(GATEWAY_ROUTE_ATTR);
            String routeId = route == null ? "none" : route.getId();
            String grpcStatus = exchange.getResponse().getHeaders().getFirst("grpc-status");
            access.info(
                    "{} {} {} {} {}ms route={} request-id={}{}{}",
                    protocol,
                    exchange.getRequest().getMethod().name(),
                    exchange.getRequest().getPath().value(),
                    code,
                    TimeUnit.NANOSECONDS.toMillis(nanos),
                    routeId,
                    exchange.getAttribute(RequestIdFilter.ATTRIBUTE),
                    grpcStatus == null ? "" : " grpc-status=" + grpcStatus,
                    signal.name().equals("CANCEL") ? " (client went away)" : "");
            Timer.builder("gateway.requests")
                    .description("Requests through the gateway by negotiated protocol")
                    .tag("protocol", protocol)
                    .tag("route", routeId)
                    .tag("status", Integer.toString(code))
                    .register(meters)
                    .record(nanos, TimeUnit.NANOSECONDS);
        });
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 1;
    }
}
