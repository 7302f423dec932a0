package dev.protocollab.gateway.grpc;

import dev.protocollab.gateway.web.EdgeResponses;
import java.util.List;
import java.util.Map;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.AbstractServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.server.ServerWebExchange;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Keeps gRPC errors whole through the gateway. A backend that fails a call before sending anything
 * answers "trailers-only": one HEADERS frame that ends the stream and carries {@code grpc-status},
 * {@code grpc-message}, {@code grpc-status-details-bin} and any custom trailing metadata. The gateway
 * re-sends upstream headers as response headers and ends the stream separately, so the client would see
 * them as leading metadata and lose the details (Spring Cloud Gateway issue 4224). This filter, after the
 * built-in gRPC one, moves every such header into the response trailers, where a client reads the status.
 */
final class GrpcTrailersOnlyFilter implements HttpHeadersFilter, Ordered {

    /** What stays a header: it describes the (empty) response itself, not the call's outcome. */
    private static final List<String> LEADING = List.of(HttpHeaders.CONTENT_TYPE, HttpHeaders.CONTENT_LENGTH);

    @Override
    public HttpHeaders filter(HttpHeaders upstream, ServerWebExchange exchange) {
        if (!EdgeResponses.isGrpc(exchange.getRequest()) || upstream.getFirst("grpc-status") == null) {
            return upstream;
        }
        HttpServerResponse nativeResponse = nativeResponse(exchange.getResponse());
        if (nativeResponse == null) {
            return upstream;
        }
        HttpHeaders leading = new HttpHeaders();
        HttpHeaders trailing = new HttpHeaders();
        for (Map.Entry<String, List<String>> header : upstream.headerSet()) {
            boolean stays = LEADING.stream().anyMatch(name -> name.equalsIgnoreCase(header.getKey()));
            (stays ? leading : trailing).put(header.getKey(), header.getValue());
        }
        leading.remove(HttpHeaders.CONTENT_LENGTH);
        nativeResponse.trailerHeaders(trailers -> trailing.forEach((name, values) -> trailers.set(name, values)));
        return leading;
    }

    private static HttpServerResponse nativeResponse(ServerHttpResponse response) {
        while (response instanceof ServerHttpResponseDecorator decorator) {
            response = decorator.getDelegate();
        }
        if (response instanceof AbstractServerHttpResponse server
                && server.getNativeResponse() instanceof HttpServerResponse netty) {
            return netty;
        }
        return null;
    }

    @Override
    public boolean supports(Type type) {
        return type == Type.RESPONSE;
    }

    /** After Spring Cloud Gateway's {@code GRPCResponseHeadersFilter} (0), whose trailers this replaces. */
    @Override
    public int getOrder() {
        return 1;
    }
}
