package dev.protocollab.gateway.web;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.netty.handler.codec.http2.Http2Exception;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.webflux.error.ErrorWebExceptionHandler;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.netty.channel.AbortedException;

/**
 * Every failure the gateway itself sees, answered in the client's language: problem+json for HTTP, a
 * gRPC status for gRPC. A backend that refuses connections is 503 / UNAVAILABLE (never the UNKNOWN a gRPC
 * client makes of an HTTP 500 with a JSON body); one that resets the stream is 502 / UNAVAILABLE, or
 * DEADLINE_EXCEEDED when the call's own deadline has passed, which is what a backend's deadline racing
 * the client's looks like from here. Runs before Spring Boot's handler, which would answer 500 JSON.
 */
@Component
@Order(-2)
class EdgeErrorHandler implements ErrorWebExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(EdgeErrorHandler.class);

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable error) {
        if (exchange.getResponse().isCommitted()) {
            // a stream already under way: nothing can be said any more; let the connection say it
            log.debug("Failure after the response started: {}", error.toString());
            return Mono.error(error);
        }
        boolean grpc = EdgeResponses.isGrpc(exchange.getRequest());
        if (grpc && deadlinePassed(exchange)) {
            return EdgeResponses.grpcStatus(
                    exchange, GrpcCodes.DEADLINE_EXCEEDED, "deadline exceeded while waiting for the backend");
        }
        return switch (error) {
            case ResponseStatusException status -> fromStatus(exchange, status);
            case CallNotPermittedException open ->
                EdgeResponses.problem(
                        exchange,
                        HttpStatus.SERVICE_UNAVAILABLE,
                        "upstream-unavailable",
                        "Service unavailable",
                        "The service is failing and the gateway is giving it time to recover; retry later");
            case ConnectException refused -> upstreamDown(exchange, refused);
            case UnknownHostException unknown -> upstreamDown(exchange, unknown);
            case TimeoutException timeout ->
                EdgeResponses.problem(
                        exchange,
                        HttpStatus.GATEWAY_TIMEOUT,
                        "upstream-timeout",
                        "Upstream timeout",
                        "The service did not answer in time");
            case DataBufferLimitException tooLarge ->
                EdgeResponses.problem(
                        exchange,
                        HttpStatus.CONTENT_TOO_LARGE,
                        "request-too-large",
                        "Request too large",
                        "The request body exceeds the gateway's limit");
            case AbortedException aborted -> clientGone(exchange, aborted);
            case Http2Exception reset -> upstreamBroke(exchange, reset);
            case IOException broken -> upstreamBroke(exchange, broken);
            default -> unexpected(exchange, error);
        };
    }

    private static boolean deadlinePassed(ServerWebExchange exchange) {
        Instant deadline = exchange.getAttribute(EdgeResponses.GRPC_DEADLINE_ATTRIBUTE);
        return deadline != null && !Instant.now().isBefore(deadline);
    }

    private static Mono<Void> fromStatus(ServerWebExchange exchange, ResponseStatusException error) {
        HttpStatus status = HttpStatus.resolve(error.getStatusCode().value());
        if (status == null) {
            status = HttpStatus.INTERNAL_SERVER_ERROR;
        }
        if (error.getCause() instanceof ConnectException refused) {
            return upstreamDown(exchange, refused);
        }
        return switch (status) {
            case NOT_FOUND ->
                EdgeResponses.problem(
                        exchange, status, "no-route", "Not found", "No route or resource matches this path");
            case SERVICE_UNAVAILABLE ->
                EdgeResponses.problem(
                        exchange,
                        status,
                        "upstream-unavailable",
                        "Service unavailable",
                        "No instance of the service is reachable; retry later");
            case GATEWAY_TIMEOUT ->
                EdgeResponses.problem(
                        exchange, status, "upstream-timeout", "Upstream timeout", "The service did not answer in time");
            default ->
                EdgeResponses.problem(
                        exchange,
                        status,
                        status.name().toLowerCase().replace('_', '-'),
                        status.getReasonPhrase(),
                        error.getReason() != null ? error.getReason() : status.getReasonPhrase());
        };
    }

    private static Mono<Void> upstreamDown(ServerWebExchange exchange, Exception error) {
        log.warn("Upstream unreachable for {}: {}", exchange.getRequest().getPath(), error.getMessage());
        return EdgeResponses.problem(
                exchange,
                HttpStatus.SERVICE_UNAVAILABLE,
                "upstream-unavailable",
                "Service unavailable",
                "The service cannot be reached; retry later");
    }

    private static Mono<Void> upstreamBroke(ServerWebExchange exchange, Exception error) {
        log.warn("Upstream connection failed for {}: {}", exchange.getRequest().getPath(), error.toString());
        return EdgeResponses.problem(
                exchange,
                HttpStatus.BAD_GATEWAY,
                "upstream-failed",
                "Bad gateway",
                "The service closed the connection before answering");
    }

    private static Mono<Void> clientGone(ServerWebExchange exchange, AbortedException error) {
        log.debug("Client went away from {}: {}", exchange.getRequest().getPath(), error.getMessage());
        return Mono.empty();
    }

    private static Mono<Void> unexpected(ServerWebExchange exchange, Throwable error) {
        log.error("Unhandled failure for {}", exchange.getRequest().getPath(), error);
        return EdgeResponses.problem(
                exchange,
                HttpStatus.INTERNAL_SERVER_ERROR,
                "internal",
                "Internal error",
                "The gateway failed to handle the request");
    }
}
