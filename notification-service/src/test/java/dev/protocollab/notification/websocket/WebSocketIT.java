package dev.protocollab.notification.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.protocollab.notification.IntegrationTest;
import dev.protocollab.notification.OrderEvents;
import dev.protocollab.notification.TestClients;
import dev.protocollab.notification.WebSocketClient;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

@IntegrationTest
class WebSocketIT {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Autowired
    TestClients clients;

    @Autowired
    OrderEvents events;

    @Autowired
    JdbcClient jdbc;

    @Test
    void aClientThatMissedThreeNotificationsResumesWithExactlyThoseInOrder() throws Exception {
        String user = user();
        String someoneElse = user();
        UUID order = UUID.randomUUID();
        try (WebSocketClient other = clients.webSocket(someoneElse, "")) {
            try (WebSocketClient first = clients.webSocket(user, "")) {
                events.publishStatusChanged(user, order, "CONFIRMED", "PENDING", 2);
                JsonNode message = first.next(WAIT);
                assertThat(message.path("type").asString()).isEqualTo("notification");
                assertThat(message.path("notification").path("seq").asLong()).isEqualTo(1);
                assertThat(message.path("notification").path("status").asString())
                        .isEqualTo("CONFIRMED");
                first.send("{\"type\":\"ack\",\"seq\":1}");
                await().atMost(WAIT).until(() -> acknowledged(user) == 1);
            }
            // One at a time: two consumers may store concurrently published events in either order.
            publishAndAwait(user, order, "SHIPPED", "CONFIRMED", 3, 2);
            publishAndAwait(user, order, "DELIVERED", "SHIPPED", 4, 3);
            publishAndAwait(user, UUID.randomUUID(), "CANCELLED", "PENDING", 2, 4);

            try (WebSocketClient resumed = clients.webSocket(user, "?after=1")) {
                List<JsonNode> missed = resumed.take(3, WAIT);
                assertThat(missed)
                        .extracting(m -> m.path("notification").path("seq").asLong())
                        .containsExactly(2L, 3L, 4L);
                assertThat(missed)
                        .extracting(m -> m.path("notification").path("status").asString())
                        .containsExactly("SHIPPED", "DELIVERED", "CANCELLED");
                assertThat(resumed.poll(Duration.ofMillis(500)))
                        .as("nothing twice")
                        .isNull();
            }
            // Without a position the server resumes after what the client acknowledged (1).
            try (WebSocketClient fromAck = clients.webSocket(user, "")) {
                assertThat(fromAck.take(3, WAIT))
                        .extracting(m -> m.path("notification").path("seq").asLong())
                        .containsExactly(2L, 3L, 4L);
            }
            assertThat(other.poll(Duration.ofMillis(200)))
                    .as("another user's notifications")
                    .isNull();
        }
    }

    @Test
    void theTokenMayComeAsAQueryParameterButNotBeMissing() {
        String user = user();
        String uri = "ws://127.0.0.1:" + clients.port() + "/ws/notifications";
        try (WebSocketClient browserLike =
                WebSocketClient.connect(java.net.URI.create(uri + "?access_token=" + clients.token(user)), null)) {
            events.publishStatusChanged(user, UUID.randomUUID(), "SHIPPED", "CONFIRMED", 3);
            assertThat(browserLike.next(WAIT).path("notification").path("seq").asLong())
                    .isEqualTo(1);
        }

        assertThatThrownBy(() -> WebSocketClient.connect(java.net.URI.create(uri), null))
                .hasCauseInstanceOf(WebSocketHandshakeException.class)
                .satisfies(e -> assertThat(((WebSocketHandshakeException) e.getCause())
                                .getResponse()
                                .statusCode())
                        .isEqualTo(401));
    }

    @Test
    void misbehavingClientsGetTheProperCloseCodes() {
        try (WebSocketClient client = clients.webSocket(user(), "")) {
            client.send("x".repeat(5000));
            assertThat(client.awaitClose(WAIT).code()).as("frame over 4KB").isEqualTo(1009);
        }
        try (WebSocketClient client = clients.webSocket(user(), "")) {
            client.send("hello");
            assertThat(client.awaitClose(WAIT).code()).as("not JSON").isEqualTo(1008);
        }
        try (WebSocketClient client = clients.webSocket(user(), "")) {
            client.send("{\"type\":\"ack\",\"seq\":7}");
            WebSocketClient.Close close = client.awaitClose(WAIT);
            assertThat(close.code()).as("ack of something never sent").isEqualTo(1008);
            assertThat(close.reason()).contains("never sent");
        }
    }

    @Test
    void aConnectionEndsWith1008WhenTheTokenThatOpenedItExpires() {
        String user = user();
        String shortLived = clients.issuer()
                .token(
                        user,
                        claims -> claims.expirationTime(
                                java.util.Date.from(java.time.Instant.now().plusSeconds(2))));
        try (WebSocketClient client = WebSocketClient.connect(
                java.net.URI.create("ws://127.0.0.1:" + clients.port() + "/ws/notifications"), shortLived)) {
            WebSocketClient.Close close = client.awaitClose(WAIT);
            assertThat(close.code()).isEqualTo(1008);
            assertThat(close.reason()).contains("token expired");
        }
    }

    @Test
    void theServerPingsAndClosesAClientThatStaysSilentWith1001() throws IOException {
        // A bare socket that completes the handshake and then never answers: the JDK client would pong.
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", clients.port()), 5_000);
            socket.setSoTimeout(10_000);
            byte[] key = new byte[16];
            ThreadLocalRandom.current().nextBytes(key);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /ws/notifications HTTP/1.1\r\n"
                            + "Host: 127.0.0.1:" + clients.port() + "\r\n"
                            + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                            + "Sec-WebSocket-Version: 13\r\n"
                            + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\n"
                            + "Authorization: Bearer " + clients.token(user()) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            assertThat(readLine(in)).contains(" 101 ");
            while (!readLine(in).isEmpty()) {
                // the rest of the handshake response
            }

            long opened = System.nanoTime();
            int pings = 0;
            while (true) {
                int opcode = in.readUnsignedByte() & 0x0f;
                int length = in.readUnsignedByte() & 0x7f;
                if (length == 126) {
                    length = in.readUnsignedShort();
                }
                byte[] payload = in.readNBytes(length);
                if (opcode == 0x9) {
                    pings++;
                } else if (opcode == 0x8) {
                    int code = ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
                    Duration after = Duration.ofNanos(System.nanoTime() - opened);
                    assertThat(code).isEqualTo(1001);
                    assertThat(pings).as("pings before giving up").isGreaterThanOrEqualTo(3);
                    assertThat(after).isBetween(Duration.ofMillis(2900), Duration.ofSeconds(8));
                    return;
                }
            }
        }
    }

    private long acknowledged(String user) {
        return jdbc.sql("SELECT acked_seq FROM user_inbox WHERE user_id = :user")
                .param("user", user)
                .query(Long.class)
                .single();
    }

    private static String readLine(DataInputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException("closed");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    private void publishAndAwait(String user, UUID order, String status, String previous, long version, int inbox) {
        events.publishStatusChanged(user, order, status, previous, version);
        await().atMost(WAIT).until(() -> clients.inbox(user).size() == inbox);
    }

    private static String user() {
        return "ws-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
