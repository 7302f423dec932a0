package dev.protocollab.gateway.tls;

import java.time.Duration;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Tells clients on the TLS port that the same origin speaks HTTP/3 ({@code Alt-Svc: h3=":8443"}), which
 * is how browsers and curl discover QUIC. Cleartext responses do not advertise it: an alternative
 * service must be at least as secure as the origin it stands for, and h3 needs the https origin.
 */
final class AltSvcFilter implements WebFilter, Ordered {

    private final Http3Server http3;
    private final Duration maxAge;

    AltSvcFilter(Http3Server http3, Duration maxAge) {
        this.http3 = http3;
        this.maxAge = maxAge;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (exchange.getRequest().getSslInfo() != null && http3.isRunning()) {
            String value = "h3=\":" + http3.port() + "\"; ma=" + maxAge.toSeconds();
            exchange.getResponse().beforeCommit(() -> {
                exchange.getResponse().getHeaders().set("Alt-Svc", value);
                return Mono.empty();
            });
        }
        return chain.filter(exchange);
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 10;
    }
}
