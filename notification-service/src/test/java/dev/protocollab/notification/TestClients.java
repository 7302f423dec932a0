package dev.protocollab.notification;

import dev.protocollab.testsupport.TestJwtIssuer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestComponent;
import org.springframework.core.env.Environment;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Real clients of a running instance: HTTP, SSE and WebSocket over the network, each request carrying
 * the named user's bearer token. {@link #of(int, int, TestJwtIssuer)} makes the same for another
 * instance started by a test.
 */
@TestComponent
public class TestClients {

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Environment environment;
    private final TestJwtIssuer issuer;
    private final int fixedPort;
    private final int fixedManagementPort;

    @Autowired
    TestClients(Environment environment, TestJwtIssuer issuer) {
        this.environment = environment;
        this.issuer = issuer;
        this.fixedPort = -1;
        this.fixedManagementPort = -1;
    }

    private TestClients(int port, int managementPort, TestJwtIssuer issuer) {
        this.environment = null;
        this.issuer = issuer;
        this.fixedPort = port;
        this.fixedManagementPort = managementPort;
    }

    /** Clients of another instance, on its ports. */
    public static TestClients of(int port, int managementPort, TestJwtIssuer issuer) {
        return new TestClients(port, managementPort, issuer);
    }

    public TestJwtIssuer issuer() {
        return issuer;
    }

    public String token(String user) {
        return issuer.token(user);
    }

    public int port() {
        return fixedPort > 0 ? fixedPort : Integer.parseInt(environment.getProperty("local.server.port"));
    }

    public int managementPort() {
        return fixedManagementPort > 0
                ? fixedManagementPort
                : Integer.parseInt(environment.getProperty("local.management.port"));
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    /** A request already carrying {@code user}'s bearer token (none if {@code user} is null). */
    public HttpRequest.Builder request(String user, String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30));
        if (user != null) {
            request.header("Authorization", "Bearer " + issuer.token(user));
        }
        return request;
    }

    public Response send(HttpRequest request) {
        try {
            return new Response(HTTP.send(request, HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Response get(String user, String path) {
        return send(request(user, path).GET().build());
    }

    public Response postJson(String user, String path, String body) {
        return send(request(user, path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
    }

    public Response delete(String user, String path) {
        return send(request(user, path).DELETE().build());
    }

    /** The user's inbox as a short poll sees it. */
    public JsonNode inbox(String user) {
        Response response = get(user, "/api/notifications?after=0&limit=1000");
        if (response.status() != 200) {
            throw new IllegalStateException("poll failed: " + response.status() + " " + response.body());
        }
        return response.json().path("notifications");
    }

    /** Opens {@code /api/notifications/stream}; {@code headers} are name, value pairs. */
    public SseStream sse(String user, String query, String... headers) {
        HttpRequest.Builder request = request(user, "/api/notifications/stream" + query)
                .timeout(Duration.ofMinutes(5))
                .header("Accept", "text/event-stream");
        if (headers.length > 0) {
            request.headers(headers);
        }
        return SseStream.open(HTTP, request.GET().build());
    }

    /** Opens {@code /ws/notifications} with {@code user}'s token in the Authorization header. */
    public WebSocketClient webSocket(String user, String query) {
        return WebSocketClient.connect(
                URI.create("ws://127.0.0.1:" + port() + "/ws/notifications" + query), issuer.token(user));
    }

    /** One Prometheus sample from the management port, e.g. {@code metric("x_total", "channel=\"sse\"")}. */
    public double metric(String name, String... labels) {
        String body = send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + managementPort() + "/actuator/prometheus"))
                        .timeout(Duration.ofSeconds(10))
                        .build())
                .body();
        return body.lines()
                .filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
                .filter(line -> Arrays.stream(labels).allMatch(line::contains))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    /** An HTTP response with its body parsed on demand. */
    public record Response(HttpResponse<String> raw) {

        public int status() {
            return raw.statusCode();
        }

        public String body() {
            return raw.body();
        }

        public JsonNode json() {
            return JSON.readTree(raw.body());
        }

        public String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }
}
