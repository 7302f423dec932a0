package dev.protocollab.testsupport;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.testcontainers.rabbitmq.RabbitMQContainer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Hands out a fresh RabbitMQ virtual host per test context or end-to-end run, so exchanges and queues
 * keep their production names and runs still never share a message. Virtual hosts are made through the
 * management HTTP API, which is also how tests close the broker's connections to inject faults.
 */
public final class TestRabbit {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(TIMEOUT)
            .version(HttpClient.Version.HTTP_1_1) // the management API mishandles an h2c upgrade
            .build();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static RabbitMQContainer container;

    private TestRabbit() {}

    /** One virtual host on a real broker; {@link #close()} deletes it with everything in it. */
    public record Broker(String host, int port, String username, String password, String virtualHost, URI managementUri)
            implements AutoCloseable {

        /** Closes every client connection to this virtual host, as a broker restart or network cut would. */
        public int closeConnections() {
            JsonNode connections = JSON.readTree(management(this, "GET", "/api/connections", null));
            List<String> names = new ArrayList<>();
            for (JsonNode connection : connections) {
                if (virtualHost.equals(connection.path("vhost").asString())) {
                    names.add(connection.path("name").asString());
                }
            }
            for (String name : names) {
                management(this, "DELETE", "/api/connections/" + encode(name), null);
            }
            return names.size();
        }

        /** The number of connections the broker currently holds for this virtual host. */
        public int connectionCount() {
            JsonNode connections = JSON.readTree(management(this, "GET", "/api/connections", null));
            int count = 0;
            for (JsonNode connection : connections) {
                if (virtualHost.equals(connection.path("vhost").asString())) {
                    count++;
                }
            }
            return count;
        }

        @Override
        public void close() {
            try {
                management(this, "DELETE", "/api/vhosts/" + encode(virtualHost), null);
            } catch (RuntimeException e) {
                System.err.println("Could not delete test virtual host " + virtualHost + ": " + e.getMessage());
            }
        }
    }

    public static Broker newVirtualHost(String prefix) {
        Broker root = rootBroker(prefix + "-" + Infrastructure.uniqueSuffix());
        try {
            management(root, "PUT", "/api/vhosts/" + encode(root.virtualHost()), "{}");
            management(
                    root,
                    "PUT",
                    "/api/permissions/" + encode(root.virtualHost()) + "/" + encode(root.username()),
                    "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}");
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "Cannot create a RabbitMQ virtual host through the management API at " + root.managementUri()
                            + ". Enable it with `rabbitmq-plugins enable rabbitmq_management`, or point "
                            + "TEST_RABBITMQ_HOST/TEST_RABBITMQ_PORT/TEST_RABBITMQ_MANAGEMENT_URL at a broker "
                            + "that has it (or run a Docker engine).",
                    e);
        }
        return root;
    }

    private static synchronized Broker rootBroker(String virtualHost) {
        if (Infrastructure.mode() == Infrastructure.Mode.CONTAINERS) {
            if (container == null) {
                container = new RabbitMQContainer("rabbitmq:4-management-alpine");
                container.start();
            }
            return new Broker(
                    container.getHost(),
                    container.getAmqpPort(),
                    container.getAdminUsername(),
                    container.getAdminPassword(),
                    virtualHost,
                    URI.create(container.getHttpUrl()));
        }
        return new Broker(
                Infrastructure.env("TEST_RABBITMQ_HOST", "127.0.0.1"),
                Integer.parseInt(Infrastructure.env("TEST_RABBITMQ_PORT", "5672")),
                Infrastructure.env("TEST_RABBITMQ_USER", "guest"),
                Infrastructure.env("TEST_RABBITMQ_PASSWORD", "guest"),
                virtualHost,
                URI.create(Infrastructure.env("TEST_RABBITMQ_MANAGEMENT_URL", "http://127.0.0.1:15672")));
    }

    private static String management(Broker broker, String method, String path, String body) {
        String credentials = Base64.getEncoder()
                .encodeToString((broker.username() + ":" + broker.password()).getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(broker.managementUri().resolve(path))
                .timeout(TIMEOUT)
                .header("Authorization", "Basic " + credentials)
                .header("Content-Type", "application/json")
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 300 && !(method.equals("DELETE") && response.statusCode() == 404)) {
                throw new IllegalStateException(
                        method + " " + path + " answered " + response.statusCode() + ": " + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + request.uri() + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
