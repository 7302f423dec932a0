package dev.protocollab.gateway.ratelimit;

import dev.protocollab.gateway.GatewayProperties;
import dev.protocollab.gateway.web.EdgeResponses;
import java.net.InetSocketAddress;
import java.security.Principal;
import java.util.Map;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.cloud.gateway.filter.ratelimit.RateLimiter;
import org.springframework.cloud.gateway.filter.ratelimit.RedisRateLimiter;
import org.springframework.cloud.gateway.support.HasRouteId;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * {@code - RateLimit=replenishRate,burstCapacity} on a route: a token bucket per user (the token's
 * subject), or per client IP for anonymous requests, kept in Redis so every gateway instance shares it.
 * Answers carry {@code RateLimit-Limit}, {@code RateLimit-Remaining}, {@code RateLimit-Reset} (IETF
 * draft "RateLimit header fields for HTTP"); a refusal is 429 with {@code Retry-After} and a problem body
 * (RESOURCE_EXHAUSTED for gRPC). Like Spring Cloud Gateway's own limiter it fails open: if Redis is down,
 * requests pass rather than the whole edge failing with it.
 */
@Component
class RateLimitGatewayFilterFactory extends AbstractGatewayFilterFactory<RateLimitGatewayFilterFactory.Config> {

    private final RedisRateLimiter limiter;
    private final GatewayProperties.RateLimit defaults;

    RateLimitGatewayFilterFactory(RedisRateLimiter limiter, GatewayProperties properties) {
        super(Config.class);
        this.limiter = limiter;
        this.defaults = properties.rateLimit();
    }

    @Override
    public java.util.List<String> shortcutFieldOrder() {
        return java.util.List.of("replenishRate", "burstCapacity");
    }

    @Override
    public GatewayFilter apply(Config config) {
        int replenishRate = config.replenishRate > 0 ? config.replenishRate : defaults.replenishRate();
        int burstCapacity = config.burstCapacity > 0 ? config.burstCapacity : defaults.burstCapacity();
        String bucket = config.routeId != null ? config.routeId : "default";
        limiter.getConfig()
                .put(
                        bucket,
                        new RedisRateLimiter.Config()
                                .setReplenishRate(replenishRate)
                                .setBurstCapacity(burstCapacity)
                                .setRequestedTokens(1));
        return (exchange, chain) -> key(exchange)
                .flatMap(key -> limiter.isAllowed(bucket, key))
                .flatMap(decision -> {
                    HttpHeaders headers = exchange.getResponse().getHeaders();
                    long remaining = remaining(decision);
                    // the bucket refills one token every 1/replenishRate seconds
                    long resetSeconds = (long) Math.ceil(1.0 / replenishRate);
                    if (remaining >= 0) {
                        headers.set("RateLimit-Limit", Integer.toString(burstCapacity));
                        headers.set("RateLimit-Remaining", Long.toString(remaining));
                        headers.set("RateLimit-Reset", Long.toString(remaining > 0 ? 0 : resetSeconds));
                        headers.set(
                                "RateLimit-Policy", burstCapacity + ";w=" + Math.max(1, burstCapacity / replenishRate));
                    }
                    if (decision.isAllowed()) {
                        return chain.filter(exchange);
                    }
                    headers.set(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, resetSeconds)));
                    return EdgeResponses.problem(
                            exchange,
                            HttpStatus.TOO_MANY_REQUESTS,
                            "rate-limited",
                            "Too many requests",
                            "Rate limit of " + replenishRate + "/s (burst " + burstCapacity
                                    + ") exceeded; retry after the Retry-After seconds");
                });
    }

    private static long remaining(RateLimiter.Response decision) {
        Map<String, String> headers = decision.getHeaders();
        String value = headers.get(RedisRateLimiter.REMAINING_HEADER);
        try {
            return value == null ? -1 : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The verified token's subject; the peer address when there is none. */
    private static Mono<String> key(ServerWebExchange exchange) {
        return exchange.getPrincipal()
                .map(Principal::getName)
                .map(name -> "user:" + name)
                .switchIfEmpty(Mono.fromSupplier(() -> {
                    InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
                    return "ip:"
                            + (remote == null ? "unknown" : remote.getAddress().getHostAddress());
                }));
    }

    public static class Config implements HasRouteId {

        private int replenishRate;
        private int burstCapacity;
        private String routeId;

        public int getReplenishRate() {
            return replenishRate;
        }

        public void setReplenishRate(int replenishRate) {
            this.replenishRate = replenishRate;
        }

        public int getBurstCapacity() {
            return burstCapacity;
        }

        public void setBurstCapacity(int burstCapacity) {
            this.burstCapacity = burstCapacity;
        }

        @Override
        public void setRouteId(String routeId) {
            this.routeId = routeId;
        }

        @Override
        public String getRouteId() {
            return routeId;
        }
    }
}
