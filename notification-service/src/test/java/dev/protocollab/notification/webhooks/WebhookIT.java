package dev.protocollab.notification.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.protocollab.notification.IntegrationTest;
import dev.protocollab.notification.OrderEvents;
import dev.protocollab.notification.TestClients;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@IntegrationTest
class WebhookIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    TestClients clients;

    @Autowired
    OrderEvents events;

    Receiver receiver;

    @BeforeEach
    void startReceiver() throws IOException {
        receiver = new Receiver();
    }

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    @Test
    void aReceiverThatFailsTwiceGetsTheNotificationOnceAfterBackoffAndCanVerifyIt() throws Exception {
        String user = user();
        JsonNode registered = register(user, receiver.url()).json();
        String secret = registered.path("secret").asString();
        assertThat(secret).startsWith("whsec_");
        receiver.answer(500, 503, 204);

        UUID order = UUID.randomUUID();
        events.publishStatusChanged(user, order, "SHIPPED", "CONFIRMED", 3);

        await().atMost(WAIT).until(() -> receiver.requests.size() == 3);
        List<Request> requests = List.copyOf(receiver.requests);
        for (Request request : requests) {
            assertThat(verify(secret, request)).as("signature of %s", request).isTrue();
            assertThat(Math.abs(Instant.now().getEpochSecond() - Long.parseLong(request.timestamp())))
                    .isLessThan(60);
        }
        assertThat(requests)
                .extracting(Request::id)
                .as("one message, retried")
                .containsOnly(requests.get(0).id());
        assertThat(verify("whsec_" + Base64.getEncoder().encodeToString(new byte[24]), requests.get(0)))
                .as("a wrong secret does not verify")
                .isFalse();
        JsonNode payload = JSON.readTree(requests.get(2).body());
        assertThat(payload.path("type").asString()).isEqualTo("order.status-changed");
        assertThat(payload.path("data").path("orderId").asString()).isEqualTo(order.toString());
        assertThat(payload.path("data").path("seq").asLong()).isEqualTo(1);

        // initial-backoff is 300ms and doubles: the retries wait at least that long.
        assertThat(Duration.between(requests.get(0).at(), requests.get(1).at()))
                .isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(Duration.between(requests.get(1).at(), requests.get(2).at()))
                .isGreaterThanOrEqualTo(Duration.ofMillis(600));

        String webhookId = registered.path("id").asString();
        JsonNode log =
                clients.get(user, "/api/webhooks/" + webhookId + "/deliveries").json();
        JsonNode delivery = log.path("deliveries").get(0);
        assertThat(delivery.path("status").asString()).isEqualTo("DELIVERED");
        assertThat(delivery.path("attempts").asInt()).isEqualTo(3);
        assertThat(delivery.path("log"))
                .extracting(a -> a.path("responseStatus").asInt())
                .containsExactly(500, 503, 204);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> receiver.requests.size() == 3);

        assertThat(clients.get(user(), "/api/webhooks/" + webhookId + "/deliveries")
                        .status())
                .as("another user's delivery log")
                .isEqualTo(404);
    }

    @Test
    void targetsOffTheAllowListAreRefusedAtRegistration() {
        String user = user();
        for (String url : List.of(
                "http://example.com/hook", // not on the allow-list
                "http://169.254.169.254/latest/meta-data", // cloud metadata
                "http://10.0.0.1/hook",
                "ftp://127.0.0.1/hook", // scheme
                "http://user:pass@127.0.0.1/hook",
                "not a url")) {
            TestClients.Response refused = register(user, url);
            assertThat(refused.status()).as(url).isEqualTo(400);
            assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
            assertThat(refused.json().path("type").asString()).endsWith("/webhook-target-rejected");
        }
        assertThat(clients.get(user, "/api/webhooks").json().path("webhooks")).isEmpty();

        assertThat(register(user, receiver.url()).status())
                .as("loopback, allowed by this test's configuration")
                .isEqualTo(201);
        assertThat(clients.get(user, "/api/webhooks").json().path("webhooks")).hasSize(1);
    }

    private TestClients.Response register(String user, String url) {
        return clients.postJson(user, "/api/webhooks", JSON.writeValueAsString(java.util.Map.of("url", url)));
    }

    /** The receiver's side of Standard Webhooks, written from the specification, not from our signer. */
    private static boolean verify(String secret, Request request) throws GeneralSecurityException {
        byte[] key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        String expected = Base64.getEncoder()
                .encodeToString(mac.doFinal((request.id() + "." + request.timestamp() + "." + request.body())
                        .getBytes(StandardCharsets.UTF_8)));
        for (String signature : request.signature().split(" ")) {
            if (signature.equals("v1," + expected)) {
                return true;
            }
        }
        return false;
    }

    record Request(String id, String timestamp, String signature, String body, Instant at) {}

    /** A webhook receiver on loopback that answers with the statuses it is told, then 204. */
    static final class Receiver implements AutoCloseable {
        final List<Request> requests = new CopyOnWriteArrayList<>();
        private final Queue<Integer> answers = new ConcurrentLinkedQueue<>();
        private final HttpServer server;

        Receiver() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/hook", exchange -> {
                try (exchange) {
                    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                    requests.add(new Request(
                            exchange.getRequestHeaders().getFirst("webhook-id"),
                            exchange.getRequestHeaders().getFirst("webhook-timestamp"),
                            exchange.getRequestHeaders().getFirst("webhook-signature"),
                            body,
                            Instant.now()));
                    Integer status = answers.poll();
                    exchange.sendResponseHeaders(status == null ? 204 : status, -1);
                }
            });
            server.start();
        }

        void answer(Integer... statuses) {
            answers.addAll(List.of(statuses));
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    private static String user() {
        return "hook-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
