package dev.protocollab.notification;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
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

/** Every setting notification-service reads, under the prefix {@code notifications}. */
@Validated
@ConfigurationProperties("notifications")
public record NotificationsProperties(
        @Valid @DefaultValue Consumer consumer,
        @Valid @DefaultValue Live live,
        @Valid @DefaultValue OrderService orderService,
        @Valid @DefaultValue Polling polling,
        @Valid @DefaultValue Sse sse,
        @Valid @DefaultValue WebSocket websocket,
        @Valid @DefaultValue Webhooks webhooks,
        @Valid @DefaultValue Security security) {

    /**
     * The durable queue all instances share (competing consumers) on order-service's exchange. A message
     * that keeps failing is retried {@code maxRetries} times with exponential backoff on the consuming
     * thread, then dead-lettered; one that cannot even be read goes to the dead-letter queue at once.
     * {@code concurrency} consumers per instance (virtual threads) each handle one event at a time, and
     * an event's time is mostly waiting (on order-service's {@code GetOrder}, on the user's row lock), so
     * an instance consumes about {@code concurrency} / (time per event) events a second. The consumers
     * holding events of the same user store them together, in one transaction under one lock
     * (docs/adr/0102), so for one busy user {@code concurrency} is also the largest batch. Only the
     * consumer storing a batch holds a pooled JDBC connection for it (the others only briefly, to check a
     * redelivery), so {@code concurrency} may exceed {@code spring.datasource.hikari.maximum-pool-size}.
     */
    public record Consumer(
            @NotBlank @DefaultValue("orders.events") String exchange,

            @NotBlank @DefaultValue("notification-service.order-events")
            String queue,

            @NotBlank @DefaultValue("notification-service.order-events.dlx")
            String deadLetterExchange,

            @NotBlank @DefaultValue("notification-service.order-events.dlq")
            String deadLetterQueue,

            @Min(1) @Max(64) @DefaultValue("16") int concurrency,
            @Min(1) @Max(1000) @DefaultValue("10") int prefetch,
            @Min(0) @Max(10) @DefaultValue("3") int maxRetries,
            @NotNull @DefaultValue("200ms") Duration initialBackoff,
            @DecimalMin("1.0") @DefaultValue("2.0") double backoffMultiplier,
            @NotNull @DefaultValue("2s") Duration maxBackoff) {}

    /**
     * Fan-out between instances: each stored notification is published to {@code exchange} (fanout) and
     * every instance reads it from its own exclusive, auto-delete queue. {@code recheckInterval} is the
     * safety net: connected users whose newest notification was not pushed (a fan-out message lost while
     * the broker connection was down) are caught up from the database.
     */
    public record Live(
            @NotBlank @DefaultValue("notifications.live") String exchange,

            @NotBlank @DefaultValue("notification-service.live.")
            String queuePrefix,

            @NotNull @DefaultValue("5s") Duration recheckInterval,
            @Min(1) @Max(10_000) @DefaultValue("256") int maxBufferedPerConnection,
            @Min(1) @Max(1000) @DefaultValue("100") int replayBatchSize) {}

    /**
     * Enrichment through order-service's {@code GetOrder}, named {@value #BREAKER} in metrics. Every call
     * has {@code deadline}; only {@code UNAVAILABLE} is retried; the circuit breaker stops calling a
     * failing order-service for {@code circuitBreaker.waitInOpenState}. {@code channel} names a Spring gRPC
     * channel ({@code spring.grpc.client.channels.<channel>}) and {@code clientRegistration} a Spring
     * Security OAuth2 client ({@code spring.security.oauth2.client.registration.<id>}).
     */
    public record OrderService(
            @NotBlank @DefaultValue("order-service") String channel,
            @NotBlank @DefaultValue("order-service") String clientRegistration,
            @NotNull @DefaultValue("2s") Duration deadline,
            @NotNull @DefaultValue("2s") Duration tokenConnectTimeout,
            @NotNull @DefaultValue("3s") Duration tokenReadTimeout,
            @NotNull @DefaultValue("30s") Duration tokenClockSkew,
            @Valid @DefaultValue Retry retry,
            @Valid @DefaultValue CircuitBreaker circuitBreaker) {

        public static final String BREAKER = "order-service";

        public record Retry(
                @Min(1) @Max(10) @DefaultValue("3") int maxAttempts,
                @NotNull @DefaultValue("100ms") Duration initialBackoff,
                @DecimalMin("1.0") @DefaultValue("2.0") double multiplier) {}

        public record CircuitBreaker(
                @Min(1) @DefaultValue("10") int slidingWindowSize,
                @Min(1) @DefaultValue("5") int minimumNumberOfCalls,
                @Min(1) @Max(100) @DefaultValue("50") float failureRateThreshold,
                @NotNull @DefaultValue("10s") Duration waitInOpenState,
                @Min(1) @DefaultValue("2") int permittedCallsInHalfOpenState) {}
    }

    /** {@code maxWait} bounds a long poll's {@code ?wait=}; {@code maxLimit} bounds one page. */
    public record Polling(
            @NotNull @DefaultValue("30s") Duration maxWait,
            @Min(1) @Max(1000) @DefaultValue("100") int defaultLimit,
            @Min(1) @Max(1000) @DefaultValue("500") int maxLimit) {}

    /**
     * {@code maxDuration} ends a stream after a while (the client resumes with {@code Last-Event-ID}), so
     * no stream outlives the token that opened it by long; {@code heartbeat} is a comment line that keeps
     * proxies from cutting an idle stream; {@code retry} is the reconnection delay the client is told.
     */
    public record Sse(
            @NotNull @DefaultValue("30m") Duration maxDuration,
            @NotNull @DefaultValue("15s") Duration heartbeat,
            @NotNull @DefaultValue("3s") Duration retry) {}

    /**
     * The server pings every {@code pingInterval}; a connection that sends nothing (not even a pong) for
     * {@code idleTimeout} is closed with 1001. A frame larger than {@code maxMessageSize} is closed with
     * 1009. A send that does not finish in {@code sendTimeLimit}, or more than {@code sendBufferLimit}
     * queued behind a slow client, closes that client's connection; it resumes from its last sequence.
     */
    public record WebSocket(
            @NotNull @DefaultValue("20s") Duration pingInterval,
            @NotNull @DefaultValue("60s") Duration idleTimeout,
            @NotNull @DefaultValue("4KB") DataSize maxMessageSize,
            @NotNull @DefaultValue("10s") Duration sendTimeLimit,
            @NotNull @DefaultValue("512KB") DataSize sendBufferLimit,
            @NotNull @DefaultValue("*") List<String> allowedOrigins) {}

    /**
     * Outbound webhooks. Only hosts matching {@code allowedHosts} (exact names, or {@code *.example.com})
     * may be registered, and even then never an address in a private, link-local or loopback range
     * unless {@code allowPrivateNetworks} / {@code allowLoopback} say so: that is the SSRF protection.
     * Failed deliveries are retried with exponential backoff from {@code initialBackoff} up to
     * {@code maxBackoff}, {@code maxAttempts} attempts in all.
     */
    public record Webhooks(
            @NotNull @DefaultValue List<String> allowedHosts,
            @NotNull @DefaultValue("https") List<String> allowedSchemes,
            @DefaultValue("false") boolean allowLoopback,
            @DefaultValue("false") boolean allowPrivateNetworks,
            @Min(1) @Max(100) @DefaultValue("10") int maxPerUser,
            @Min(1) @Max(50) @DefaultValue("8") int maxAttempts,
            @NotNull @DefaultValue("1s") Duration initialBackoff,
            @NotNull @DefaultValue("10m") Duration maxBackoff,
            @NotNull @DefaultValue("2s") Duration connectTimeout,
            @NotNull @DefaultValue("5s") Duration requestTimeout,
            @NotNull @DefaultValue("1s") Duration pollInterval,
            @Min(1) @Max(1000) @DefaultValue("20") int batchSize) {}

    /**
     * Tokens must carry this issuer and audience (the same rules as order-service); the issuer's JWKS is
     * fetched with these timeouts.
     */
    public record Security(
            @NotBlank @DefaultValue("protocol-lab") String issuer,
            @NotBlank @DefaultValue("protocol-lab") String audience,
            @NotNull @DefaultValue("2s") Duration jwksConnectTimeout,
            @NotNull @DefaultValue("3s") Duration jwksReadTimeout) {}
}
