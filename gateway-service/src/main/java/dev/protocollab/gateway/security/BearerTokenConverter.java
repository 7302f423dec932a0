package dev.protocollab.gateway.security;

import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.server.resource.web.server.authentication.ServerBearerTokenAuthenticationConverter;
import org.springframework.security.web.server.authentication.ServerAuthenticationConverter;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The bearer token from the {@code Authorization} header (gRPC: the {@code authorization} metadata, which
 * is the same header); on WebSocket and SSE routes also from {@code ?access_token=} (RFC 6750 §2.3),
 * because a browser's WebSocket and EventSource cannot set headers. Elsewhere a query token is refused:
 * URLs end up in logs and histories.
 */
final class BearerTokenConverter implements ServerAuthenticationConverter {

    private final ServerBearerTokenAuthenticationConverter headerOnly = new ServerBearerTokenAuthenticationConverter();
    private final ServerBearerTokenAuthenticationConverter headerOrQuery =
            new ServerBearerTokenAuthenticationConverter();

    BearerTokenConverter() {
        headerOrQuery.setAllowUriQueryParameter(true);
    }

    @Override
    public Mono<Authentication> convert(ServerWebExchange exchange) {
        return allowsQueryToken(exchange.getRequest().getPath().value())
                ? headerOrQuery.convert(exchange)
                : headerOnly.convert(exchange);
    }

    static boolean allowsQueryToken(String path) {
        return path.startsWith("/ws/") || path.equals("/api/notifications/stream") || path.startsWith("/api/stream/");
    }
}
