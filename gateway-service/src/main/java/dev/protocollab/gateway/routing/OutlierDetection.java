package dev.protocollab.gateway.routing;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_LOADBALANCER_RESPONSE_ATTR;

import dev.protocollab.gateway.GatewayProperties;
import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.loadbalancer.Response;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.ReactiveLoadBalancerClientFilter;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Passive health checking: an instance that refuses a connection is left out of load balancing for
 * {@code gateway.upstream-ejection}, unless every instance of the service is out (then all are tried: refusing the only
 * hope helps nobody). Spring Cloud LoadBalancer's round robin is shared by all requests, so without this a
 * request's retries can land on the dead instance again while other requests move the counter; a service
 * with a dead instance then fails a share of its requests although a live one is there. Active health
 * checks would need each instance's management port; the refused connection is the proof that counts.
 */
@Component
class OutlierDetection implements GlobalFilter, Ordered {

    private static final Logger log = LoggerFactory.getLogger(OutlierDetection.class);

    private final Map<String, Instant> ejectedUntil = new ConcurrentHashMap<>();
    private final Clock clock = Clock.systemUTC();
    private final Duration ejection;

    OutlierDetection(GatewayProperties properties) {
        this.ejection = properties.upstreamEjection();
    }

    /** Right after the load balancer chose, so a failed connection to that choice passes through here. */
    @Override
    public int getOrder() {
        return ReactiveLoadBalancerClientFilter.LOAD_BALANCER_CLIENT_FILTER_ORDER + 1;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        Response<ServiceInstance> chosen = exchange.getAttribute(GATEWAY_LOADBALANCER_RESPONSE_ATTR);
        if (chosen == null || !chosen.hasServer()) {
            return chain.filter(exchange);
        }
        ServiceInstance instance = chosen.getServer();
        return chain.filter(exchange).doOnError(error -> {
            if (refused(error)) {
                eject(instance);
            }
        });
    }

    /** The instances worth trying: all but the ejected ones, or all of them if none is left. */
    List<ServiceInstance> healthy(List<ServiceInstance> instances) {
        Instant now = clock.instant();
        List<ServiceInstance> healthy = instances.stream()
                .filter(instance -> {
                    Instant until = ejectedUntil.get(instance.getInstanceId());
                    return until == null || !now.isBefore(until);
                })
                .toList();
        return healthy.isEmpty() ? instances : healthy;
    }

    private void eject(ServiceInstance instance) {
        Instant previous =
                ejectedUntil.put(instance.getInstanceId(), clock.instant().plus(ejection));
        if (previous == null || previous.isBefore(clock.instant())) {
            log.warn("{} refused a connection: out of load balancing for {}", instance.getInstanceId(), ejection);
        }
    }

    private static boolean refused(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectException) {
                return true;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return false;
    }
}
