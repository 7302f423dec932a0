package dev.protocollab.stream.websocket;

import dev.protocollab.stream.StreamProperties;
import java.net.URI;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Cross-site WebSocket hijacking defence: a browser lets any page open a WebSocket to any host, and the
 * same-origin policy does not apply, so the handshake's {@code Origin} is checked against {@code
 * stream.websocket.allowed-origins} before anything else (ahead of authentication, so a foreign page
 * cannot even probe tokens). A handshake without {@code Origin} is not from a browser and passes, and so
 * does a same-origin one ({@code Origin} names the host the request is addressed to): that is what a
 * proxy's WebSocket client sends on its own (Netty, and so the gateway, writes the upstream's address
 * there when the client sent no {@code Origin}), and no foreign page can produce it.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class OriginCheck implements WebFilter {

    private final Set<String> allowed;
    private final JsonMapper json;

    OriginCheck(StreamProperties properties, JsonMapper json) {
        this.allowed = properties.websocket().allowedOrigins().stream()
                .map(OriginCheck::normalise)
                .collect(Collectors.toUnmodifiableSet());
        this.json = json;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String origin = exchange.getRequest().getHeaders().getOrigin();
        if (origin == null
                || !exchange.getRequest().getPath().value().startsWith("/ws/")
                || allowed.contains(normalise(origin))
                || sameOrigin(origin, exchange)) {
            return chain.filter(exchange);
        }
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                HttpStatus.FORBIDDEN, "WebSocket connections from this origin are not allowed");
        problem.setType(URI.create("https://protocol-lab.dev/problems/origin-not-allowed"));
        problem.setTitle("Origin not allowed");
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(HttpStatus.FORBIDDEN);
        response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        response.getHeaders().set(HttpHeaders.VARY, HttpHeaders.ORIGIN);
        DataBuffer body = response.bufferFactory().wrap(json.writeValueAsBytes(problem));
        return response.writeWith(Mono.just(body));
    }

    private static boolean sameOrigin(String origin, ServerWebExchange exchange) {
        URI request = exchange.getRequest().getURI();
        return request.getHost() != null
                && normalise(origin).equals(normalise(request.getScheme() + "://" + request.getRawAuthority()));
    }

    /** Scheme and host compare case-insensitively; a default port may be written or not. */
    private static String normalise(String origin) {
        try {
            URI uri = URI.create(origin.strip());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
            int port = uri.getPort();
            if (port == -1) {
                port = "https".equals(scheme) ? 443 : "http".equals(scheme) ? 80 : -1;
            }
            return scheme + "://" + (uri.getHost() == null ? "" : uri.getHost().toLowerCase()) + ":" + port;
        } catch (IllegalArgumentException e) {
            return origin; // "null" (sandboxed pages) and garbage never match a configured origin
        }
    }
}
