package dev.protocollab.stream.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.protocollab.stream.IntegrationTest;
import dev.protocollab.stream.TestClients;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code stream.websocket.allowed-origins} is the whole list: with it set to a shop's own origins, those
 * are accepted (scheme and host in any case, the default port written or not) and the defaults are not.
 */
@IntegrationTest
@TestPropertySource(properties = "stream.websocket.allowed-origins=https://shop.example.com,http://localhost:3000")
class OriginCheckIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    TestClients clients;

    @Test
    void originsInTheConfiguredListAreAcceptedOnBothEndpoints() throws Exception {
        String token = "?access_token=" + clients.token();
        try (TestClients.Ws stream = clients.webSocket("/ws/stream" + token, "HTTPS://Shop.Example.com:443")
                        .awaitOpen();
                TestClients.Ws signal = clients.webSocket("/ws/signal" + token, "http://localhost:3000")
                        .awaitOpen()) {
            stream.send("{\"type\":\"ping\"}");
            assertThat(JSON.readTree(stream.next(WAIT)).path("type").asString()).isEqualTo("pong");
            signal.send("{\"type\":\"peers\"}");
            assertThat(JSON.readTree(signal.next(WAIT)).path("code").asString()).isEqualTo("not-joined");
        }
    }

    @Test
    void anOriginOutsideTheListIsRefusedWith403EvenIfItIsADefault() {
        String token = "?access_token=" + clients.token();
        try (TestClients.Ws gateway = clients.webSocket("/ws/stream" + token, TestClients.GATEWAY_ORIGIN);
                TestClients.Ws otherPort = clients.webSocket("/ws/signal" + token, "https://shop.example.com:8443");
                TestClients.Ws sandboxed = clients.webSocket("/ws/stream" + token, "null")) {
            assertThat(gateway.awaitFailure()).hasMessageContaining("403");
            assertThat(otherPort.awaitFailure()).hasMessageContaining("403");
            assertThat(sandboxed.awaitFailure()).hasMessageContaining("403");
        }
    }

    @Test
    void aSameOriginHandshakeIsAcceptedAsAProxysClientSendsIt() throws Exception {
        // the gateway's Netty WebSocket client, given no Origin by its caller, writes the upstream's own
        // address there; no page of a foreign site can send that
        String token = "?access_token=" + clients.token();
        try (TestClients.Ws proxied = clients.webSocket("/ws/stream" + token, "http://127.0.0.1:" + clients.port())
                .awaitOpen()) {
            proxied.send("{\"type\":\"ping\"}");
            assertThat(JSON.readTree(proxied.next(WAIT)).path("type").asString())
                    .isEqualTo("pong");
        }
    }

    @Test
    void theRefusalIsAProblemAndComesBeforeAuthentication() {
        HttpResponse<String> response = clients.get(
                "/ws/stream",
                "Origin",
                "https://evil.example",
                "Sec-WebSocket-Version",
                "13",
                "Sec-WebSocket-Key",
                "dGhlIHNhbXBsZSBub25jZQ==");

        assertThat(response.statusCode())
                .as("403, not 401: no token was needed to learn it")
                .isEqualTo(403);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.path("type").asString())
                .isEqualTo(URI.create("https://protocol-lab.dev/problems/origin-not-allowed")
                        .toString());
    }
}
