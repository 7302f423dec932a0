package dev.protocollab.order.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Development only ({@code orders.security.development-header=true}): a request without a bearer token
 * may name its customer in {@code X-Customer-Id}. Lets order-service be tried with plain curl before the
 * gateway issues tokens; never enabled in compose or kubernetes.
 */
class DevelopmentHeaderFilter extends OncePerRequestFilter {

    static final String HEADER = "X-Customer-Id";

    private final SecurityContextHolderStrategy contexts = SecurityContextHolder.getContextHolderStrategy();

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String customer = request.getHeader(HEADER);
        if (request.getHeader(HttpHeaders.AUTHORIZATION) == null && Caller.isValid(customer)) {
            SecurityContext context = contexts.createEmptyContext();
            context.setAuthentication(UsernamePasswordAuthenticationToken.authenticated(customer, null, List.of()));
            contexts.setContext(context);
        }
        chain.doFilter(request, response);
    }
}
