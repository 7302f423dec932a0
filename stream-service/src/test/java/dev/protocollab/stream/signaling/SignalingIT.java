package dev.protocollab.stream.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.protocollab.stream.IntegrationTest;
import dev.protocollab.stream.TestClients;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** WebRTC signaling between WebSocket clients, as two browsers would do it. */
@IntegrationTest
class SignalingIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String SDP = "v=0\\r\\no=- 4611731400430051336 2 IN IP4 127.0.0.1\\r\\ns=-\\r\\n";

    @Autowired
    TestClients clients;

    @Test
    void offerAnswerAndCandidatesAreRelayedWithinTheRoomOnly() throws Exception {
        String room = room();
        try (TestClients.Ws alice = clients.webSocket("/ws/signal").awaitOpen();
                TestClients.Ws bob = clients.webSocket("/ws/signal").awaitOpen();
                TestClients.Ws eve = clients.webSocket("/ws/signal").awaitOpen()) {
            alice.send("{\"type\":\"join\",\"room\":\"" + room + "\"}");
            JsonNode aliceJoined = next(alice);
            assertThat(aliceJoined.path("type").asString()).isEqualTo("joined");
            assertThat(aliceJoined.path("peers")).isEmpty();
            String aliceId = aliceJoined.path("peerId").asString();

            bob.send("{\"type\":\"join\",\"room\":\"" + room + "\"}");
            JsonNode bobJoined = next(bob);
            String bobId = bobJoined.path("peerId").asString();
            assertThat(bobJoined.path("peers").get(0).path("peerId").asString()).isEqualTo(aliceId);
            JsonNode announced = next(alice);
            assertThat(announced.path("type").asString()).isEqualTo("peer-joined");
            assertThat(announced.path("peerId").asString()).isEqualTo(bobId);
            assertThat(announced.path("user").asString()).isEqualTo("alice");

            eve.send("{\"type\":\"join\",\"room\":\"" + room() + "\"}");
            next(eve);

            alice.send("{\"type\":\"offer\",\"to\":\"" + bobId + "\",\"sdp\":\"" + SDP + "\"}");
            JsonNode offer = next(bob);
            assertThat(offer.path("type").asString()).isEqualTo("offer");
            assertThat(offer.path("from").asString()).isEqualTo(aliceId);
            assertThat(offer.path("sdp").asString()).startsWith("v=0\r\n");

            bob.send("{\"type\":\"answer\",\"to\":\"" + aliceId + "\",\"sdp\":\"" + SDP + "\",\"from\":\"spoofed\"}");
            JsonNode answer = next(alice);
            assertThat(answer.path("type").asString()).isEqualTo("answer");
            assertThat(answer.path("from").asString())
                    .as("the server sets from")
                    .isEqualTo(bobId);

            bob.send("{\"type\":\"candidate\",\"to\":\"" + aliceId + "\",\"candidate\":{\"candidate\":"
                    + "\"candidate:1 1 udp 2122260223 127.0.0.1 54321 typ host\",\"sdpMid\":\"0\","
                    + "\"sdpMLineIndex\":0}}");
            JsonNode candidate = next(alice);
            assertThat(candidate.path("type").asString()).isEqualTo("candidate");
            assertThat(candidate.path("candidate").path("sdpMid").asString()).isEqualTo("0");

            // eve is in another room: she cannot reach alice, and saw none of the above
            eve.send("{\"type\":\"offer\",\"to\":\"" + aliceId + "\",\"sdp\":\"" + SDP + "\"}");
            JsonNode refused = next(eve);
            assertThat(refused.path("type").asString()).isEqualTo("error");
            assertThat(refused.path("code").asString()).isEqualTo("unknown-peer");
            assertThat(eve.received()).isEmpty();

            bob.send("{\"type\":\"leave\"}");
            assertThat(next(bob).path("type").asString()).isEqualTo("left");
            JsonNode left = next(alice);
            assertThat(left.path("type").asString()).isEqualTo("peer-left");
            assertThat(left.path("peerId").asString()).isEqualTo(bobId);
            assertThat(alice.received()).isEmpty();
        }
    }

    @Test
    void aThirdPeerIsRefusedByAFullRoomAndMayJoinAnother() throws Exception {
        String room = room();
        try (TestClients.Ws first = clients.webSocket("/ws/signal").awaitOpen();
                TestClients.Ws second = clients.webSocket("/ws/signal").awaitOpen();
                TestClients.Ws third = clients.webSocket("/ws/signal").awaitOpen()) {
            first.send("{\"type\":\"join\",\"room\":\"" + room + "\"}");
            assertThat(next(first).path("type").asString()).isEqualTo("joined");
            second.send("{\"type\":\"join\",\"room\":\"" + room + "\"}");
            assertThat(next(second).path("type").asString()).isEqualTo("joined");

            third.send("{\"type\":\"join\",\"room\":\"" + room + "\"}");
            JsonNode refused = next(third);
            assertThat(refused.path("type").asString()).isEqualTo("error");
            assertThat(refused.path("code").asString()).isEqualTo("room-full");

            third.send("{\"type\":\"join\",\"room\":\"" + room() + "\"}");
            assertThat(next(third).path("type").asString()).isEqualTo("joined");
            next(first); // peer-joined for second
            assertThat(first.received())
                    .as("the refused peer was never announced")
                    .isEmpty();
        }
    }

    @Test
    void malformedMessagesGetAnErrorFrameAndTheSessionSurvives() throws Exception {
        try (TestClients.Ws peer = clients.webSocket("/ws/signal").awaitOpen()) {
            peer.send("not json at all");
            assertThat(next(peer).path("code").asString()).isEqualTo("invalid-message");
            peer.send("[1,2,3]");
            assertThat(next(peer).path("code").asString()).isEqualTo("invalid-message");
            peer.send("{\"type\":\"join\",\"room\":\"no spaces allowed\"}");
            assertThat(next(peer).path("code").asString()).isEqualTo("invalid-room");
            peer.send("{\"type\":\"offer\",\"to\":\"p-1\",\"sdp\":\"v=0\"}");
            assertThat(next(peer).path("code").asString()).isEqualTo("not-joined");
            peer.send("{\"type\":\"shout\"}");
            assertThat(next(peer).path("code").asString()).isEqualTo("unknown-type");

            peer.send("{\"type\":\"join\",\"room\":\"" + room() + "\"}");
            assertThat(next(peer).path("type").asString()).isEqualTo("joined");
            peer.send("{\"type\":\"offer\",\"sdp\":\"v=0\"}");
            assertThat(next(peer).path("code").asString()).isEqualTo("invalid-message");
            peer.send("{\"type\":\"candidate\",\"to\":\"p-1\",\"candidate\":42}");
            assertThat(next(peer).path("code").asString()).isEqualTo("invalid-message");
            peer.send("{\"type\":\"offer\",\"to\":\"p-1\",\"sdp\":\"" + "a".repeat(40_000) + "\"}");
            assertThat(next(peer).path("code").asString())
                    .as("an SDP over the limit")
                    .isEqualTo("invalid-message");
            peer.send("{\"type\":\"answer\",\"to\":\"p-nobody\",\"sdp\":\"v=0\"}");
            assertThat(next(peer).path("code").asString()).isEqualTo("unknown-peer");
            peer.sendBinary(new byte[] {1, 2, 3});
            assertThat(next(peer).path("code").asString()).isEqualTo("invalid-message");
            peer.send("{\"type\":\"join\",\"room\":\"" + room() + "\"}");
            assertThat(next(peer).path("code").asString()).isEqualTo("already-joined");
            peer.send("{\"type\":\"peers\"}");
            assertThat(next(peer).path("type").asString()).isEqualTo("peers");
            assertThat(peer.received())
                    .as("one reply per message, the session still open")
                    .isEmpty();
        }
    }

    private static String room() {
        return "r-" + UUID.randomUUID();
    }

    private static JsonNode next(TestClients.Ws ws) throws InterruptedException {
        return JSON.readTree(ws.next(WAIT));
    }
}
