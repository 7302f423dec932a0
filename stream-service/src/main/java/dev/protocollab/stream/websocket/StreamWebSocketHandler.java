package dev.protocollab.stream.websocket;

import dev.protocollab.stream.StreamProperties;
import dev.protocollab.stream.broadcast.Broadcaster;
import dev.protocollab.stream.broadcast.Gap;
import dev.protocollab.stream.broadcast.Mailbox;
import dev.protocollab.stream.broadcast.MailboxFlux;
import dev.protocollab.stream.broadcast.StreamEvent;
import dev.protocollab.stream.broadcast.StreamMeters;
import dev.protocollab.stream.broadcast.Topic;
import dev.protocollab.stream.broadcast.Transport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code /ws/stream}: publish-subscribe over one WebSocket.
 *
 * <p>Client to server: {@code {"type":"subscribe","topics":["orders"]}}, {@code {"type":"unsubscribe",
 * "topics":[…]}}, {@code {"type":"ping"}}. Server to client: {@code {"type":"subscribed"|"unsubscribed",
 * "topics":[…],"active":[…]}}, {@code {"type":"event","topic":"orders","id":…,"seq":…,"data":{…}}},
 * {@code {"type":"gap","topic":…,"missed":…,"reason":"slow-consumer"}}, {@code {"type":"pong"}} and
 * {@code {"type":"error","code":…,"message":…}}.
 *
 * <p>A well-formed request the server cannot honour (an unknown topic or type) gets an error frame and
 * the session goes on. A frame that breaks the protocol closes the session with the RFC 6455 code that
 * says why: 1003 for a binary frame, 1007 for text that is not a JSON object, 1009 (Reactor Netty) for an
 * oversized frame, 1008 for a client that keeps sending while not reading the replies. At shutdown the
 * server closes with 1001 (going away) so clients reconnect elsewhere.
 */
@Component
class StreamWebSocketHandler implements WebSocketHandler {

    static final CloseStatus BINARY_NOT_SUPPORTED =
            CloseStatus.NOT_ACCEPTABLE.withReason("binary frames are not supported; send JSON text");
    static final CloseStatus NOT_JSON = new CloseStatus(1007, "each frame must be one JSON object");
    static final CloseStatus NOT_READING = CloseStatus.POLICY_VIOLATION.withReason("too many unread replies");

    private final Broadcaster broadcaster;
    private final StreamMeters meters;
    private final StreamProperties properties;
    private final JsonMapper json;
    private final MeterRegistry registry;

    StreamWebSocketHandler(
            Broadcaster broadcaster,
            StreamMeters meters,
            StreamProperties properties,
            JsonMapper json,
            MeterRegistry registry) {
        this.broadcaster = broadcaster;
        this.meters = meters;
        this.properties = properties;
        this.json = json;
        this.registry = registry;
    }

    @Override
    public Mono<Void> handle(WebSocketSession session) {
        Connection connection = new Connection(session);
        Sinks.Empty<Void> ended = Sinks.empty();
        // The pings end with the deliveries: the merge below completes only when both have.
        Flux<WebSocketMessage> deliveries =
                MailboxFlux.of(connection.mailbox, connection).doFinally(signal -> ended.tryEmitEmpty());
        Duration interval = properties.websocket().pingInterval();
        Flux<WebSocketMessage> pings = Flux.interval(interval, interval)
                .onBackpressureDrop()
                .map(tick -> session.pingMessage(buffers -> buffers.wrap(new byte[0])))
                .takeUntilOther(ended.asMono());
        Mono<Void> output = session.send(Flux.merge(1, deliveries, pings)).then(Mono.defer(connection::closeSession));
        Mono<Void> input =
                session.receive().doOnNext(connection::receive).then().doFinally(signal -> connection.end());
        return Mono.when(input, output);
    }

    /** One session: its topics, its mailbox, and how it should be closed when the server ends it. */
    private final class Connection implements MailboxFlux.Renderer<String, WebSocketMessage> {

        private final WebSocketSession session;
        private final Mailbox<String> mailbox;
        private final Set<Topic> topics = ConcurrentHashMap.newKeySet();
        private final AtomicReference<CloseStatus> closeWith = new AtomicReference<>();
        private volatile boolean clientGone;

        Connection(WebSocketSession session) {
            this.session = session;
            this.mailbox = new Mailbox<>(
                    Transport.WEBSOCKET,
                    properties.subscribers().bufferSize(),
                    properties.subscribers().controlBufferSize(),
                    meters);
        }

        void receive(WebSocketMessage message) {
            if (message.getType() != WebSocketMessage.Type.TEXT) {
                if (message.getType() == WebSocketMessage.Type.BINARY) {
                    close(BINARY_NOT_SUPPORTED);
                }
                return; // ping and pong frames are the transport's business
            }
            JsonNode request;
            try {
                request = json.readTree(message.getPayloadAsText());
            } catch (JacksonException e) {
                close(NOT_JSON);
                return;
            }
            if (!request.isObject()) {
                close(NOT_JSON);
                return;
            }
            String type = request.path("type").asString("");
            switch (type) {
                case "subscribe", "unsubscribe" -> change(type, request.get("topics"));
                case "ping" -> reply(json.createObjectNode().put("type", "pong"));
                default ->
                    error(
                            "unknown-type",
                            "type must be subscribe, unsubscribe or ping"
                                    + (type.isEmpty() ? "" : ", not '" + abbreviate(type) + "'"));
            }
        }

        private void change(String type, JsonNode requested) {
            if (requested == null || !requested.isArray() || requested.isEmpty()) {
                error("invalid-topics", "topics must be a non-empty array of topic names");
                return;
            }
            List<Topic> named = new ArrayList<>();
            for (JsonNode name : requested) {
                Optional<Topic> topic = name.isString() ? Topic.fromWireName(name.asString()) : Optional.empty();
                if (topic.isEmpty()) {
                    error(
                            "unknown-topic",
                            "unknown topic " + abbreviate(name.toString()) + "; the topics are orders and metrics");
                    return; // nothing of a request with a bad name is applied
                }
                named.add(topic.get());
            }
            ObjectNode ack = json.createObjectNode().put("type", type + "d");
            ArrayNode ackTopics = ack.putArray("topics");
            named.forEach(topic -> ackTopics.add(topic.wireName()));
            if (type.equals("subscribe")) {
                // Registered before the ack goes out: a client that acts on the ack (creates an order, say) must
                // see every event published after it. An event published in between may reach the client just
                // before the ack, which is harmless; the reverse order lost events (the e2e FanOutIT saw it).
                named.stream().filter(topics::add).forEach(topic -> broadcaster.subscribe(topic, mailbox));
                reply(withActive(ack));
            } else {
                named.forEach(topic -> {
                    if (topics.remove(topic)) {
                        broadcaster.unsubscribe(topic, mailbox);
                    }
                });
                reply(withActive(ack));
            }
        }

        private ObjectNode withActive(ObjectNode ack) {
            ArrayNode active = ack.putArray("active");
            EnumSet<Topic> current = topics.isEmpty() ? EnumSet.noneOf(Topic.class) : EnumSet.copyOf(topics);
            current.forEach(topic -> active.add(topic.wireName()));
            return ack;
        }

        private void error(String code, String message) {
            reply(json.createObjectNode().put("type", "error").put("code", code).put("message", message));
        }

        private void reply(ObjectNode frame) {
            if (!mailbox.offerControl(json.writeValueAsString(frame))) {
                close(NOT_READING);
            }
        }

        private void close(CloseStatus status) {
            if (closeWith.compareAndSet(null, status)) {
                Counter.builder("stream.websocket.protocol.closes")
                        .description("/ws/stream sessions the server closed for a protocol error, by close code")
                        .tag("code", String.valueOf(status.getCode()))
                        .register(registry)
                        .increment();
            }
            mailbox.close();
        }

        /** The client closed, or the connection dropped. */
        void end() {
            clientGone = true;
            broadcaster.unsubscribeAll(mailbox);
            mailbox.close();
        }

        /** After the last delivery: a protocol error's code, or 1001 when the server ended the stream. */
        Mono<Void> closeSession() {
            if (clientGone) {
                return Mono.empty();
            }
            CloseStatus status = closeWith.get();
            return session.close(status == null ? CloseStatus.GOING_AWAY : status)
                    .onErrorResume(e -> Mono.empty());
        }

        @Override
        public WebSocketMessage event(StreamEvent event) {
            if (!topics.contains(event.topic())) {
                return null; // unsubscribed while it waited in the mailbox
            }
            return session.textMessage(
                    "{\"type\":\"event\",\"topic\":\"" + event.topic().wireName() + "\",\"id\":"
                            + json.writeValueAsString(event.id()) + ",\"seq\":" + event.sequence() + ",\"data\":"
                            + event.json() + "}");
        }

        @Override
        public WebSocketMessage gap(Gap gap) {
            return session.textMessage("{\"type\":\"gap\"," + gap.jsonMembers() + "}");
        }

        @Override
        public WebSocketMessage control(String message) {
            return session.textMessage(message);
        }
    }

    private static String abbreviate(String text) {
        return text.length() > 40 ? text.substring(0, 40) + "…" : text;
    }
}
