package dev.protocollab.gateway.security;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * A browser's WebSocket or EventSource sends its token as {@code ?access_token=}; the gateway, having
 * verified it, also hands it to the backend in the {@code Authorization} header, the one form every
 * resource server reads.
 */
@Component
class QueryTokenRelayFilter implements GlobalFilter, Ordered {

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        HttpHeaders headers = exchange.getRequest().getHeaders();
        String token = exchange.getRequest().getQueryParams().getFirst("access_token");
        if (token == null
                || headers.containsHeader(HttpHeaders.AUTHORIZATION)
                || !BearerTokenConverter.allowsQueryToken(
                        exchange.getRequest().getPath().value())) {
            return chain.filter(exchange);
        }
        return chain.filter(exchange.mutate()
                .request(request -> request.headers(h -> h.setBearerAuth(token)))
                .build());
    }

    @Override
    public int getOrder() {
        return 0;
    }
}
