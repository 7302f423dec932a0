package dev.protocollab.stream.signaling;

import dev.protocollab.stream.StreamProperties;
import dev.protocollab.stream.broadcast.Gap;
import dev.protocollab.stream.broadcast.Mailbox;
import dev.protocollab.stream.broadcast.MailboxFlux;
import dev.protocollab.stream.broadcast.StreamEvent;
import dev.protocollab.stream.broadcast.StreamMeters;
import dev.protocollab.stream.broadcast.Transport;
import java.security.Principal;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code /ws/signal}: WebRTC signaling. The server never looks inside an SDP; it only lets two browsers
 * that share a room exchange the offer, the answer and their ICE candidates, after which they talk
 * peer to peer (a DataChannel in the UI).
 *
 * <ul>
 *   <li>{@code {"type":"join","room":"r1"}} → {@code {"type":"joined","room":"r1","peerId":…,"peers":[…]}};
 *       the others get {@code {"type":"peer-joined","peerId":…,"user":…}}. A full room answers
 *       {@code error room-full}.
 *   <li>{@code {"type":"offer"|"answer","to":<peerId>,"sdp":…}} and {@code {"type":"candidate","to":…,
 *       "candidate":{…}}} reach only that peer, and only if it is in the sender's room, as {@code
 *       {"type":…,"from":<sender>,…}}: the server sets {@code from}, so it cannot be forged.
 *   <li>{@code {"type":"peers"}} lists the room; {@code {"type":"leave"}} (or closing) leaves it and the
 *       others get {@code peer-left}.
 * </ul>
 *
 * Anything malformed or not allowed gets {@code {"type":"error","code":…,"message":…}} and the session
 * goes on: a signaling client should be able to correct itself. Only a client that does not read its
 * frames is disconnected (1008).
 */
@Component
public class SignalingHandler implements WebSocketHandler {

    static final CloseStatus NOT_READING = CloseStatus.POLICY_VIOLATION.withReason("too many unread messages");

    private static final Pattern ROOM = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final int MAX_CANDIDATE_LENGTH = 4096;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Rooms rooms;
    private final StreamMeters meters;
    private final StreamProperties properties;
    private final JsonMapper json;

    SignalingHandler(Rooms rooms, StreamMeters meters, StreamProperties properties, JsonMapper json) {
        this.rooms = rooms;
        this.meters = meters;
        this.properties = properties;
        this.json = json;
    }

    @Override
    public Mono<Void> handle(WebSocketSession session) {
        return session.getHandshakeInfo()
                .getPrincipal()
                .map(Principal::getName)
                .defaultIfEmpty("anonymous")
                .flatMap(user -> handle(session, user));
    }

    private Mono<Void> handle(WebSocketSession session, String user) {
        Mailbox<String> mailbox =
                new Mailbox<>(Transport.SIGNALING, 1, properties.subscribers().controlBufferSize(), meters);
        Peer peer = new Peer(newPeerId(), user, mailbox);
        Mono<Void> output = session.send(MailboxFlux.of(mailbox, new Frames(session)))
                .then(Mono.defer(() -> {
                    CloseStatus status = peer.closeStatus();
                    return status == null ? Mono.empty() : session.close(status).onErrorResume(e -> Mono.empty());
                }));
        Mono<Void> input = session.receive()
                .doOnNext(message -> receive(peer, message))
                .then()
                .doFinally(signal -> {
                    leave(peer, false);
                    mailbox.close();
                });
        return Mono.when(input, output);
    }

    void receive(Peer peer, WebSocketMessage message) {
        if (message.getType() != WebSocketMessage.Type.TEXT) {
            if (message.getType() == WebSocketMessage.Type.BINARY) {
                error(peer, "invalid-message", "send JSON text frames", null);
            }
            return;
        }
        JsonNode request;
        try {
            request = json.readTree(message.getPayloadAsText());
        } catch (JacksonException e) {
            error(peer, "invalid-message", "not JSON", null);
            return;
        }
        if (!request.isObject()) {
            error(peer, "invalid-message", "each frame must be one JSON object", null);
            return;
        }
        String type = request.path("type").asString("");
        switch (type) {
            case "join" -> join(peer, request.path("room"));
            case "leave" -> leave(peer, true);
            case "peers" -> peers(peer);
            case "offer", "answer" -> relaySdp(peer, type, request);
            case "candidate" -> relayCandidate(peer, request);
            default ->
                error(
                        peer,
                        "unknown-type",
                        "type must be join, leave, peers, offer, answer or candidate",
                        type.isEmpty() ? null : type);
        }
    }

    private void join(Peer peer, JsonNode roomField) {
        String room = roomField.isString() ? roomField.asString() : "";
        if (!ROOM.matcher(room).matches()) {
            error(peer, "invalid-room", "room must be 1 to 64 letters, digits, '-' or '_'", "join");
            return;
        }
        if (peer.room() != null) {
            error(peer, "already-joined", "already in room " + peer.room() + "; leave it first", "join");
            return;
        }
        Rooms.Joined joined = rooms.join(room, peer);
        if (joined.refusal() == Rooms.Refusal.ROOM_FULL) {
            error(peer, "room-full", "room " + room + " already has " + rooms.maxPeers() + " peers", "join");
            return;
        }
        if (joined.refusal() == Rooms.Refusal.TOO_MANY_ROOMS) {
            error(peer, "too-many-rooms", "this server holds no more rooms; try again later", "join");
            return;
        }
        peer.room(room);
        ObjectNode reply =
                json.createObjectNode().put("type", "joined").put("room", room).put("peerId", peer.id());
        ArrayNode peers = reply.putArray("peers");
        joined.others()
                .forEach(other -> peers.addObject().put("peerId", other.id()).put("user", other.user()));
        peer.send(write(reply));
        String announcement = write(json.createObjectNode()
                .put("type", "peer-joined")
                .put("room", room)
                .put("peerId", peer.id())
                .put("user", peer.user()));
        joined.others().forEach(other -> other.send(announcement));
    }

    private void leave(Peer peer, boolean reply) {
        String room = peer.room();
        if (room == null) {
            if (reply) {
                error(peer, "not-joined", "not in a room", "leave");
            }
            return;
        }
        peer.room(null);
        List<Peer> remaining = rooms.leave(room, peer);
        if (reply) {
            peer.send(write(json.createObjectNode().put("type", "left").put("room", room)));
        }
        String announcement = write(json.createObjectNode()
                .put("type", "peer-left")
                .put("room", room)
                .put("peerId", peer.id()));
        remaining.forEach(other -> other.send(announcement));
    }

    private void peers(Peer peer) {
        String room = peer.room();
        if (room == null) {
            error(peer, "not-joined", "join a room first", "peers");
            return;
        }
        ObjectNode reply = json.createObjectNode().put("type", "peers").put("room", room);
        ArrayNode peers = reply.putArray("peers");
        rooms.members(room).stream()
                .filter(other -> other != peer)
                .forEach(other -> peers.addObject().put("peerId", other.id()).put("user", other.user()));
        peer.send(write(reply));
    }

    private void relaySdp(Peer peer, String type, JsonNode request) {
        JsonNode sdp = request.get("sdp");
        if (sdp == null || !sdp.isString() || sdp.asString().isBlank()) {
            error(peer, "invalid-message", type + " needs an sdp string", type);
            return;
        }
        if (sdp.asString().length() > properties.signaling().maxSdpLength()) {
            error(
                    peer,
                    "invalid-message",
                    "sdp longer than " + properties.signaling().maxSdpLength() + " characters",
                    type);
            return;
        }
        Peer target = target(peer, type, request);
        if (target != null) {
            relay(peer, target, type, json.createObjectNode().put("sdp", sdp.asString()));
        }
    }

    private void relayCandidate(Peer peer, JsonNode request) {
        JsonNode candidate = request.get("candidate");
        // An RTCIceCandidateInit: {"candidate":"candidate:…","sdpMid":"0","sdpMLineIndex":0}; an empty
        // candidate string is the end-of-candidates marker.
        if (candidate == null
                || !candidate.isObject()
                || !candidate.path("candidate").isString()
                || candidate.toString().length() > MAX_CANDIDATE_LENGTH) {
            error(
                    peer,
                    "invalid-message",
                    "candidate needs a candidate object with a 'candidate' string (RTCIceCandidateInit)",
                    "candidate");
            return;
        }
        Peer target = target(peer, "candidate", request);
        if (target != null) {
            ObjectNode fields = json.createObjectNode();
            fields.set("candidate", candidate);
            relay(peer, target, "candidate", fields);
        }
    }

    /** The addressed peer, if the sender is in a room and the peer is in the same one. */
    private Peer target(Peer peer, String type, JsonNode request) {
        String room = peer.room();
        if (room == null) {
            error(peer, "not-joined", "join a room before sending " + type, type);
            return null;
        }
        JsonNode to = request.get("to");
        if (to == null || !to.isString()) {
            error(peer, "invalid-message", type + " needs 'to', the peer id to send it to", type);
            return null;
        }
        Peer target = rooms.member(room, to.asString());
        if (target == null || target == peer) {
            error(peer, "unknown-peer", "no peer " + abbreviate(to.asString()) + " in room " + room, type);
            return null;
        }
        return target;
    }

    private void relay(Peer from, Peer to, String type, ObjectNode fields) {
        ObjectNode frame = json.createObjectNode().put("type", type).put("from", from.id());
        frame.setAll(fields);
        if (!to.send(write(frame))) {
            error(from, "peer-unavailable", "peer " + to.id() + " has gone or is not reading", type);
        }
    }

    private void error(Peer peer, String code, String message, String ref) {
        ObjectNode frame =
                json.createObjectNode().put("type", "error").put("code", code).put("message", message);
        if (ref != null) {
            frame.put("ref", abbreviate(ref));
        }
        peer.send(write(frame));
    }

    private String write(ObjectNode frame) {
        return json.writeValueAsString(frame);
    }

    private static String newPeerId() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return "p-" + HexFormat.of().formatHex(bytes);
    }

    private static String abbreviate(String text) {
        return text.length() > 40 ? text.substring(0, 40) + "…" : text;
    }

    /** Only control frames go through a signaling mailbox. */
    private record Frames(WebSocketSession session) implements MailboxFlux.Renderer<String, WebSocketMessage> {

        @Override
        public WebSocketMessage event(StreamEvent event) {
            return null;
        }

        @Override
        public WebSocketMessage gap(Gap gap) {
            return null;
        }

        @Override
        public WebSocketMessage control(String message) {
            return session.textMessage(message);
        }
    }
}
