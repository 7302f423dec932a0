package dev.protocollab.stream.security;

import java.net.URI;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.server.resource.BearerTokenError;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * A 401 with the RFC 6750 {@code WWW-Authenticate} challenge and an RFC 9457 problem body, for SSE and for
 * a refused WebSocket handshake alike (a browser shows neither, but curl and test clients do).
 */
@Component
class ProblemAuthenticationEntryPoint implements ServerAuthenticationEntryPoint {

    private final JsonMapper json;

    ProblemAuthenticationEntryPoint(JsonMapper json) {
        this.json = json;
    }

    @Override
    public Mono<Void> commence(ServerWebExchange exchange, AuthenticationException failure) {
        boolean tokenSent = exchange.getRequest().getHeaders().containsHeader(HttpHeaders.AUTHORIZATION)
                || exchange.getRequest().getQueryParams().containsKey("access_token");
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                HttpStatus.UNAUTHORIZED,
                tokenSent
                        ? "The bearer token is not valid: " + failure.getMessage()
                        : "This endpoint needs a bearer token (header, or ?access_token= for SSE and WebSocket)");
        problem.setType(URI.create("https://protocol-lab.dev/problems/unauthorized"));
        problem.setTitle("Unauthorized");
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(HttpStatus.UNAUTHORIZED);
        response.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, challenge(failure));
        response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        DataBuffer body = response.bufferFactory().wrap(json.writeValueAsBytes(problem));
        return response.writeWith(Mono.just(body));
    }

    /** RFC 6750 §3: {@code Bearer}, plus the error code when a token was sent and refused. */
    private static String challenge(AuthenticationException failure) {
        if (failure instanceof OAuth2AuthenticationException oauth
                && oauth.getError() instanceof BearerTokenError error) {
            String description = error.getDescription() == null
                    ? ""
                    : ", error_description=\"" + error.getDescription().replace("\"", "'") + "\"";
            return "Bearer error=\"" + error.getErrorCode() + "\"" + description;
        }
        return "Bearer";
    }
}
