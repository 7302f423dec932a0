package dev.protocollab.notification.security;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Set;
import org.springframework.security.oauth2.server.resource.web.BearerTokenResolver;
import org.springframework.security.oauth2.server.resource.web.DefaultBearerTokenResolver;

/**
 * The bearer token from the {@code Authorization} header everywhere, and also from {@code ?access_token=}
 * (RFC 6750 §2.3) on the two endpoints a browser opens without being able to set headers: the
 * {@code EventSource} stream and the WebSocket handshake. Elsewhere a token in the URL is refused rather
 * than read, since URLs end up in logs and browser history; both at once is refused everywhere.
 */
final class QueryParameterTokenResolver implements BearerTokenResolver {

    static final String PARAMETER = "access_token";

    private final Set<String> queryTokenPaths;
    private final DefaultBearerTokenResolver headerOnly = new DefaultBearerTokenResolver();
    private final DefaultBearerTokenResolver headerOrQuery = new DefaultBearerTokenResolver();

    QueryParameterTokenResolver(Set<String> queryTokenPaths) {
        this.queryTokenPaths = Set.copyOf(queryTokenPaths);
        headerOrQuery.setAllowUriQueryParameter(true);
    }

    @Override
    public String resolve(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return queryTokenPaths.contains(path) ? headerOrQuery.resolve(request) : headerOnly.resolve(request);
    }
}
