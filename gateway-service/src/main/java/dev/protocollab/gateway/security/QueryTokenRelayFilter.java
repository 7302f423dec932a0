package dev.protocollab.gateway.security;

import java.net.URI;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.util.UriComponentsBuilder;
import reactor.core.publisher.Mono;

/**
 * A browser's WebSocket or EventSource sends its token as {@code ?access_token=}; the gateway, having
 * verified it, also hands it to the backend in the {@code Authorization} header, the one form every
 * resource server reads, and takes it out of the query: a resource server refuses a request with two tokens
 * (RFC 6750 §2), and the backend's access log should not hold it.
 */
@Component
class QueryTokenRelayFilter implements GlobalFilter, Ordered {

    private static final String PARAMETER = "access_token";

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        HttpHeaders headers = exchange.getRequest().getHeaders();
        String token = exchange.getRequest().getQueryParams().getFirst(PARAMETER);
        if (token == null
                || headers.containsHeader(HttpHeaders.AUTHORIZATION)
                || !BearerTokenConverter.allowsQueryToken(
                        exchange.getRequest().getPath().value())) {
            return chain.filter(exchange);
        }
        URI withoutToken = UriComponentsBuilder.fromUri(exchange.getRequest().getURI())
                .replaceQueryParam(PARAMETER)
                .build(true)
                .toUri();
        return chain.filter(exchange.mutate()
                .request(request -> request.uri(withoutToken).headers(h -> h.setBearerAuth(token)))
                .build());
    }

    @Override
    public int getOrder() {
        return 0;
    }
}
