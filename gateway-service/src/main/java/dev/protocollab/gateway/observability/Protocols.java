package dev.protocollab.gateway.observability;

import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import reactor.netty.http.server.HttpServerRequest;

/** The HTTP version a request arrived with, as users name it: HTTP/1.1, HTTP/2 (h2 or h2c), HTTP/3. */
public final class Protocols {

    private Protocols() {}

    public static String of(ServerHttpRequest request) {
        Object nativeRequest = nativeRequest(request);
        String protocol = nativeRequest instanceof HttpServerRequest netty ? netty.protocol() : "HTTP/1.1";
        boolean tls = request.getSslInfo() != null;
        return switch (protocol) {
            case "HTTP/3.0", "HTTP/3" -> "HTTP/3";
            case "HTTP/2.0", "HTTP/2" -> tls ? "HTTP/2" : "HTTP/2 (h2c)";
            default -> tls ? protocol + " (TLS)" : protocol;
        };
    }

    private static Object nativeRequest(ServerHttpRequest request) {
        try {
            return ServerHttpRequestDecorator.getNativeRequest(request);
        } catch (IllegalArgumentException notNetty) {
            return null;
        }
    }
}
