package dev.protocollab.gateway.resilience;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.CIRCUITBREAKER_EXECUTION_EXCEPTION_ATTR;

import dev.protocollab.gateway.web.EdgeResponses;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import java.util.concurrent.TimeoutException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Where a route's circuit breaker forwards when the service failed, timed out, or the breaker is open: a
 * problem+json 503 with {@code Retry-After}, instead of the client waiting on a service that is down.
 * Reached only by the gateway's internal {@code forward:}; the security chain refuses it from outside.
 */
@RestController
class FallbackController {

    @RequestMapping("/fallback/{service}")
    Mono<Void> fallback(@PathVariable String service, ServerWebExchange exchange) {
        Throwable cause = exchange.getAttribute(CIRCUITBREAKER_EXECUTION_EXCEPTION_ATTR);
        String why = reason(cause);
        exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, "5");
        exchange.getResponse().getHeaders().set("x-fallback", service);
        return EdgeResponses.problem(
                exchange,
                HttpStatus.SERVICE_UNAVAILABLE,
                "service-unavailable",
                "Service unavailable",
                service + " is unavailable: " + why + "; retry later");
    }

    /** Retries wrap the last attempt's failure, so the cause chain is searched. */
    private static String reason(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof CallNotPermittedException) {
                return "its circuit breaker is open after repeated failures";
            }
            // the routing filter reports its response timeout as a 504 ResponseStatusException
            if (t instanceof TimeoutException
                    || (t instanceof ResponseStatusException status
                            && status.getStatusCode().value() == HttpStatus.GATEWAY_TIMEOUT.value())) {
                return "it did not answer in time";
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return "it is failing";
    }
}
