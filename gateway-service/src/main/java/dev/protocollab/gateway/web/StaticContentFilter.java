package dev.protocollab.gateway.web;

import dev.protocollab.gateway.GatewayProperties;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Caching and content-security headers for the UI the gateway serves itself ({@code /}, {@code *.html},
 * {@code /assets/**}); no route matches those paths. Pages are {@code no-cache}: the browser revalidates
 * with {@code Last-Modified} on each load and gets a 304 when nothing changed. Assets are not fingerprinted,
 * so they may be reused only briefly. Proxied responses keep whatever caching headers their service set.
 */
@Component
class StaticContentFilter implements WebFilter {

    private final CacheControl assets;
    private final String contentSecurityPolicy;

    StaticContentFilter(GatewayProperties properties) {
        this.assets = CacheControl.maxAge(properties.ui().assetsMaxAge()).cachePublic();
        this.contentSecurityPolicy = properties.ui().contentSecurityPolicy();
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        HttpMethod method = exchange.getRequest().getMethod();
        if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
            return chain.filter(exchange);
        }
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        boolean page = path.equals("/") || (path.endsWith(".html") && path.indexOf('/', 1) < 0);
        boolean asset = path.startsWith("/assets/");
        ServerWebExchange served = exchange;
        if (path.equals("/")) {
            // the page at / is /index.html, served by the resource handler: HEAD, Last-Modified and 304
            // work as for any page (Spring's welcome-page route answers GET only, and the UI asks HEAD /
            // to show the protocol)
            served = exchange.mutate()
                    .request(request -> request.path("/index.html"))
                    .build();
        }
        if (page || asset) {
            ServerHttpResponse response = exchange.getResponse();
            response.beforeCommit(() -> {
                HttpHeaders headers = response.getHeaders();
                headers.setCacheControl(page ? CacheControl.noCache() : assets);
                if (page) {
                    headers.set("Content-Security-Policy", contentSecurityPolicy);
                    headers.set("Referrer-Policy", "same-origin");
                }
                return Mono.empty();
            });
        }
        return chain.filter(served);
    }
}
