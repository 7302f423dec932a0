package dev.protocollab.stream;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/** Every setting stream-service reads, under the prefix {@code stream}. */
@Validated
@ConfigurationProperties("stream")
public record StreamProperties(
        @Valid @DefaultValue Events events,
        @Valid @DefaultValue Subscribers subscribers,
        @Valid @DefaultValue Sse sse,
        @Valid @DefaultValue WebSocket websocket,
        @Valid @DefaultValue Signaling signaling,
        @Valid @DefaultValue Metrics metrics,
        @Valid @DefaultValue Security security) {

    /**
     * Where order events come from. The queue is this instance's own (exclusive, auto-delete), so every
     * instance sees every event; {@code deduplicationWindow} event ids are remembered to drop the
     * broker's at-least-once redeliveries.
     */
    public record Events(
            @NotBlank @DefaultValue("orders.events") String exchange,
            @NotBlank @DefaultValue("order.#") String bindingKey,
            @NotBlank @DefaultValue("stream-service.") String queuePrefix,
            @Min(1) @Max(1_000_000) @DefaultValue("10000") int deduplicationWindow) {}

    /**
     * The slow-consumer policy: each subscriber (SSE response, WebSocket session, gRPC call) has its own
     * queue of at most {@code bufferSize} events. When it is full the oldest is dropped and the subscriber
     * is sent a gap marker before its next event; nobody else waits. {@code controlBufferSize} bounds
     * replies (acks, errors, signaling relays) a client has not read; past it the client is disconnected.
     * {@code socketSendBuffer} fixes each HTTP connection's kernel send buffer (SSE, WebSocket): left to
     * Linux's autotuning, a stalled client's socket alone held about 2.6 MB (some 8,700 events) before its
     * mailbox saw any of it.
     */
    public record Subscribers(
            @Min(1) @Max(100_000) @DefaultValue("256") int bufferSize,
            @Min(1) @Max(10_000) @DefaultValue("64") int controlBufferSize,
            @NotNull @DefaultValue("64KB") DataSize socketSendBuffer) {}

    /**
     * {@code ringSize} events per topic are kept so a reconnecting SSE client ({@code Last-Event-ID})
     * resumes where it left off; an older id gets a gap marker instead.
     */
    public record Sse(
            @NotNull @DefaultValue("15s") Duration heartbeat,
            @NotNull @DefaultValue("3s") Duration retry,
            @Min(1) @Max(100_000) @DefaultValue("1000") int ringSize) {}

    /**
     * Browsers send {@code Origin} with a WebSocket handshake and do not apply CORS to it: a handshake
     * from an origin outside {@code allowedOrigins} is refused (403). Clients that send no Origin (curl,
     * websocat, services) are not browsers and pass, and so does a same-origin handshake (what the
     * gateway's proxy client sends when its caller sent no Origin).
     */
    public record WebSocket(
            @NotNull
            @DefaultValue({
                "http://localhost:8080",
                "http://127.0.0.1:8080",
                "https://localhost:8443",
                "https://127.0.0.1:8443"
            })
            List<String> allowedOrigins,

            @NotNull @DefaultValue("30s") Duration pingInterval,

            @Min(1024) @Max(1_048_576) @DefaultValue("65536")
            int maxFrameSize) {}

    /** WebRTC signaling rooms live in this instance's memory; {@code maxPeersPerRoom} 2 fits one call. */
    public record Signaling(
            @Min(2) @Max(64) @DefaultValue("2") int maxPeersPerRoom,
            @Min(1) @DefaultValue("10000") int maxRooms,
            @Min(256) @DefaultValue("32768") int maxSdpLength) {}

    /** The aggregate published on the {@code metrics} topic. */
    public record Metrics(@NotNull @DefaultValue("1s") Duration window) {}

    /** Tokens must carry this issuer and audience. */
    public record Security(
            @NotBlank @DefaultValue("protocol-lab") String issuer,
            @NotBlank @DefaultValue("protocol-lab") String audience,
            @NotNull @DefaultValue("5s") Duration grpcTokenCheckTimeout) {}
}
