package dev.protocollab.e2e.chaos;

import dev.protocollab.testsupport.TestRabbit;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A queue of our own bound to every order event on {@code orders.events}, read through RabbitMQ's
 * management API, straight from the broker (never through a proxy the test cuts). The exchange is declared
 * here with order-service's own arguments, so the queue exists before the first order is placed.
 */
final class EventTap {

    /** One CloudEvent as the tap saw it. */
    record Event(String id, String type, String orderId, String status) {}

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final TestRabbit.Broker broker;
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(TIMEOUT)
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    private final String queue = "chaos-tap-" + UUID.randomUUID();

    EventTap(TestRabbit.Broker broker) {
        this(broker, true);
    }

    private EventTap(TestRabbit.Broker broker, boolean declare) {
        this.broker = broker;
        if (!declare) {
            return;
        }
        String vhost = encode(broker.virtualHost());
        call("PUT", "/api/exchanges/" + vhost + "/orders.events", "{\"type\":\"topic\",\"durable\":true}");
        call("PUT", "/api/queues/" + vhost + "/" + queue, "{\"durable\":true,\"auto_delete\":false}");
        call("POST", "/api/bindings/" + vhost + "/e/orders.events/q/" + queue, "{\"routing_key\":\"order.#\"}");
    }

    /** The number of messages waiting in one of the virtual host's queues (0 if it does not exist). */
    record QueueDepth(TestRabbit.Broker broker) {

        long messages(String queue) {
            EventTap management = new EventTap(broker, false);
            String path = "/api/queues/" + encode(broker.virtualHost()) + "/" + encode(queue);
            String body = management.call("GET", path, null);
            return body == null ? 0 : JSON.readTree(body).path("messages").asLong();
        }
    }

    /** Takes every event waiting in the queue (acknowledged: each is returned once). */
    List<Event> drain() {
        List<Event> events = new ArrayList<>();
        while (true) {
            JsonNode batch = JSON.readTree(call(
                    "POST",
                    "/api/queues/" + encode(broker.virtualHost()) + "/" + queue + "/get",
                    "{\"count\":1000,\"ackmode\":\"ack_requeue_false\",\"encoding\":\"auto\",\"truncate\":100000}"));
            for (JsonNode message : batch) {
                JsonNode event = JSON.readTree(message.path("payload").asString());
                events.add(new Event(
                        event.path("id").asString(),
                        event.path("type").asString(),
                        event.path("data").path("orderId").asString(),
                        event.path("data").path("status").asString()));
            }
            if (batch.size() < 1000) {
                return events;
            }
        }
    }

    private String call(String method, String path, String body) {
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
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 404 && method.equals("GET")) {
                return null;
            }
            if (response.statusCode() >= 300) {
                throw new IllegalStateException(
                        method + " " + path + ": " + response.statusCode() + " " + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
