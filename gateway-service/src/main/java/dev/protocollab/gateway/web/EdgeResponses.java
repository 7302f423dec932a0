package dev.protocollab.gateway.web;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * How the gateway answers on its own behalf: RFC 9457 {@code application/problem+json} to HTTP clients,
 * and a trailers-only gRPC response ({@code grpc-status}, {@code grpc-message}) to gRPC clients, which
 * cannot read a JSON error body and would otherwise report {@code UNKNOWN}.
 */
public final class EdgeResponses {

    public static final String PROBLEM_TYPES = "https://protocol-lab.dev/problems/";

    /** The {@link java.time.Instant} a proxied gRPC call's deadline passes, set when it is routed. */
    public static final String GRPC_DEADLINE_ATTRIBUTE = EdgeResponses.class.getName() + ".grpcDeadline";

    /**
     * The path as the client sent it, kept before any route rewrites it or a circuit breaker forwards to
     * its fallback (exchange attributes survive both).
     */
    public static final String ORIGINAL_PATH_ATTRIBUTE = EdgeResponses.class.getName() + ".originalPath";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private EdgeResponses() {}

    public static boolean isGrpc(ServerHttpRequest request) {
        String contentType = request.getHeaders().getFirst(HttpHeaders.CONTENT_TYPE);
        return contentType != null && contentType.regionMatches(true, 0, "application/grpc", 0, 16);
    }

    /** A problem for HTTP clients, or the matching gRPC status for gRPC clients. */
    public static Mono<Void> problem(
            ServerWebExchange exchange, HttpStatus status, String type, String title, String detail) {
        if (isGrpc(exchange.getRequest())) {
            return grpcStatus(exchange, GrpcCodes.forHttpStatus(status), detail);
        }
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            return Mono.empty();
        }
        response.setStatusCode(status);
        response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        response.getHeaders().remove(HttpHeaders.CONTENT_LENGTH);
        byte[] body = JSON.writeValueAsBytes(body(exchange, status, type, title, detail));
        return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
    }

    public static Map<String, Object> body(
            ServerWebExchange exchange, HttpStatus status, String type, String title, String detail) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", URI.create(PROBLEM_TYPES + type).toString());
        problem.put("title", title);
        problem.put("status", status.value());
        problem.put("detail", detail);
        problem.put("instance", originalPath(exchange));
        String requestId = exchange.getResponse().getHeaders().getFirst("X-Request-Id");
        if (requestId != null) {
            problem.put("requestId", requestId);
        }
        return problem;
    }

    /** The path the client asked for, also when the gateway forwarded the request to a fallback. */
    private static String originalPath(ServerWebExchange exchange) {
        String original = exchange.getAttribute(ORIGINAL_PATH_ATTRIBUTE);
        return original != null ? original : exchange.getRequest().getPath().value();
    }

    /**
     * A trailers-only gRPC response: HTTP 200, {@code application/grpc}, the status in the only HEADERS
     * frame, which ends the stream because there is no body.
     */
    public static Mono<Void> grpcStatus(ServerWebExchange exchange, int code, String message) {
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            return Mono.empty();
        }
        response.setStatusCode(HttpStatus.OK);
        HttpHeaders headers = response.getHeaders();
        headers.remove(HttpHeaders.CONTENT_LENGTH);
        headers.set(HttpHeaders.CONTENT_TYPE, "application/grpc");
        headers.set("grpc-status", Integer.toString(code));
        if (message != null && !message.isEmpty()) {
            headers.set("grpc-message", percentEncode(message));
        }
        return response.setComplete();
    }

    /** gRPC's percent-encoding of {@code grpc-message}: printable ASCII except '%' passes, the rest is %XX. */
    static String percentEncode(String message) {
        StringBuilder encoded = new StringBuilder();
        for (byte b : message.getBytes(StandardCharsets.UTF_8)) {
            if (b >= 0x20 && b < 0x7f && b != '%') {
                encoded.append((char) b);
            } else {
                encoded.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return encoded.toString();
    }
}
