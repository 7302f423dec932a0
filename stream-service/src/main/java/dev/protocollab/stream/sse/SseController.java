package dev.protocollab.stream.sse;

import dev.protocollab.stream.StreamProperties;
import dev.protocollab.stream.broadcast.Broadcaster;
import dev.protocollab.stream.broadcast.Gap;
import dev.protocollab.stream.broadcast.Mailbox;
import dev.protocollab.stream.broadcast.MailboxFlux;
import dev.protocollab.stream.broadcast.StreamEvent;
import dev.protocollab.stream.broadcast.StreamMeters;
import dev.protocollab.stream.broadcast.Topic;
import dev.protocollab.stream.broadcast.Transport;
import dev.protocollab.stream.web.UnknownTopicException;
import java.time.Duration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * Server-Sent Events: {@code GET /api/stream/orders} ({@code event: order}) and {@code /api/stream/metrics}
 * ({@code event: metrics}), JSON data, the event's id as {@code id:}.
 *
 * <p>The stream opens with {@code retry:} (how long a browser waits before reconnecting) and keeps the
 * connection visibly alive with a comment line every {@code stream.sse.heartbeat}, which proxies and load
 * balancers need to not close an idle response. A browser reconnects with {@code Last-Event-ID}; if the
 * topic's ring still holds that event, the events after it are replayed first, otherwise an {@code event:
 * gap} with {@code "reason":"resume-unavailable"} says the client must resynchronise.
 */
@RestController
class SseController {

    private static final int MAX_EVENT_ID_LENGTH = 200;

    private final Broadcaster broadcaster;
    private final StreamMeters meters;
    private final StreamProperties properties;

    SseController(Broadcaster broadcaster, StreamMeters meters, StreamProperties properties) {
        this.broadcaster = broadcaster;
        this.meters = meters;
        this.properties = properties;
    }

    @GetMapping(path = "/api/stream/{topic}", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Flux<ServerSentEvent<String>> stream(
            @PathVariable String topic,
            @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId,
            ServerHttpResponse response) {
        Topic subscribed = Topic.fromWireName(topic).orElseThrow(() -> new UnknownTopicException(topic));
        // Intermediaries must neither cache nor buffer a live stream.
        response.getHeaders().set(HttpHeaders.CACHE_CONTROL, "no-store");
        response.getHeaders().set("X-Accel-Buffering", "no");
        String resumeFrom =
                lastEventId == null || lastEventId.length() > MAX_EVENT_ID_LENGTH ? lastEventId : lastEventId.strip();
        return Flux.defer(() -> subscribe(subscribed, resumeFrom));
    }

    private Flux<ServerSentEvent<String>> subscribe(Topic topic, String lastEventId) {
        Mailbox<Void> mailbox = new Mailbox<>(
                Transport.SSE,
                properties.subscribers().bufferSize(),
                properties.subscribers().controlBufferSize(),
                meters);
        broadcaster.subscribe(topic, mailbox, lastEventId);
        Sinks.Empty<Void> ended = Sinks.empty();
        Flux<ServerSentEvent<String>> events = MailboxFlux.of(mailbox, RENDERER).doFinally(signal -> {
            broadcaster.unsubscribe(topic, mailbox);
            ended.tryEmitEmpty();
        });
        Duration heartbeat = properties.sse().heartbeat();
        Flux<ServerSentEvent<String>> heartbeats = Flux.interval(heartbeat, heartbeat)
                .onBackpressureDrop() // a stalled client gets no pile of heartbeats either
                .map(tick ->
                        ServerSentEvent.<String>builder().comment("heartbeat").build())
                .takeUntilOther(ended.asMono());
        ServerSentEvent<String> hello = ServerSentEvent.<String>builder()
                .comment("stream " + topic.wireName())
                .retry(properties.sse().retry())
                .build();
        // prefetch 1: the merge must not become a buffer in front of the mailbox
        return Flux.merge(1, events, heartbeats).startWith(hello);
    }

    private static final MailboxFlux.Renderer<Void, ServerSentEvent<String>> RENDERER = new MailboxFlux.Renderer<>() {
        @Override
        public ServerSentEvent<String> event(StreamEvent event) {
            return ServerSentEvent.builder(event.json())
                    .id(event.id())
                    .event(event.topic().eventName())
                    .build();
        }

        @Override
        public ServerSentEvent<String> gap(Gap gap) {
            return ServerSentEvent.builder("{" + gap.jsonMembers() + "}")
                    .event("gap")
                    .build();
        }

        @Override
        public ServerSentEvent<String> control(Void message) {
            return null;
        }
    };
}
