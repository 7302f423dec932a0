package dev.protocollab.gateway.security;

import dev.protocollab.gateway.web.EdgeResponses;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.security.web.server.authorization.ServerAccessDeniedHandler;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * 401 and 403 as problem+json with a {@code WWW-Authenticate: Bearer} challenge (RFC 6750), or
 * UNAUTHENTICATED / PERMISSION_DENIED for gRPC callers. The detail says what was wrong with the token
 * (missing, expired, bad signature) without echoing it.
 */
@Component
class ProblemAuthenticationEntryPoint implements ServerAuthenticationEntryPoint, ServerAccessDeniedHandler {

    @Override
    public Mono<Void> commence(ServerWebExchange exchange, AuthenticationException failure) {
        boolean invalid = failure instanceof InvalidBearerTokenException
                || failure.getClass().getSimpleName().contains("OAuth2");
        exchange.getResponse()
                .getHeaders()
                .set(
                        HttpHeaders.WWW_AUTHENTICATE,
                        invalid
                                ? "Bearer realm=\"protocol-lab\", error=\"invalid_token\""
                                : "Bearer realm=\"protocol-lab\"");
        String detail = invalid
                ? "The bearer token is not valid: " + failure.getMessage()
                : "A bearer token is required (Authorization: Bearer …)";
        return EdgeResponses.problem(exchange, HttpStatus.UNAUTHORIZED, "unauthenticated", "Unauthenticated", detail);
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, AccessDeniedException denied) {
        return EdgeResponses.problem(
                exchange, HttpStatus.FORBIDDEN, "forbidden", "Forbidden", "The token does not allow this request");
    }
}
