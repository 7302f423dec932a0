package dev.protocollab.notification.websocket;

import dev.protocollab.notification.security.User;
import dev.protocollab.notification.security.Users;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;
import org.springframework.web.util.UriComponentsBuilder;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads who is connecting (Spring Security authenticated the handshake request already, from the header
 * or {@code ?access_token=}) and where to resume ({@code ?after=}). A malformed {@code after} is refused
 * before the upgrade, as a 400 problem, rather than with a close code after it.
 */
final class HandshakeParameters implements HandshakeInterceptor {

    static final String USER = "user";
    static final String AFTER = "after";

    private final JsonMapper json;

    HandshakeParameters(JsonMapper json) {
        this.json = json;
    }

    @Override
    public boolean beforeHandshake(
            ServerHttpRequest request,
            ServerHttpResponse response,
            WebSocketHandler handler,
            Map<String, Object> attributes)
            throws Exception {
        User user = Users.of(request.getPrincipal());
        String after = UriComponentsBuilder.fromUri(request.getURI())
                .build()
                .getQueryParams()
                .getFirst(AFTER);
        if (after != null) {
            long position;
            try {
                position = Long.parseLong(after);
            } catch (NumberFormatException e) {
                position = -1;
            }
            if (position < 0) {
                refuse(response, "after must be a sequence number (an integer of 0 or more), not '" + after + "'");
                return false;
            }
            attributes.put(AFTER, position);
        }
        attributes.put(USER, user);
        return true;
    }

    @Override
    public void afterHandshake(
            ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler, Exception failure) {}

    private void refuse(ServerHttpResponse response, String detail) throws java.io.IOException {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
        problem.setType(URI.create("https://protocol-lab.dev/problems/invalid-parameter"));
        problem.setTitle("Invalid parameter");
        response.setStatusCode(HttpStatus.BAD_REQUEST);
        response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        response.getBody().write(json.writeValueAsString(problem).getBytes(StandardCharsets.UTF_8));
    }
}
