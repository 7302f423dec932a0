package dev.protocollab.order;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/** Every setting order-service reads, under the prefix {@code orders}. */
@Validated
@ConfigurationProperties("orders")
public record OrdersProperties(
        @Valid @DefaultValue Fulfilment fulfilment,
        @Valid @DefaultValue LongPoll longPoll,
        @Valid @DefaultValue Outbox outbox,
        @Valid @DefaultValue Grpc grpc,
        @Valid @DefaultValue Security security,
        @Valid @DefaultValue Idempotency idempotency,
        @Valid @DefaultValue Web web) {

    /** How fast the simulated fulfilment moves an order along; fast in tests, a few seconds in the demo. */
    public record Fulfilment(
            @DefaultValue("true") boolean enabled,
            @NotNull @DefaultValue("2s") Duration confirmAfter,
            @NotNull @DefaultValue("3s") Duration shipAfter,
            @NotNull @DefaultValue("3s") Duration deliverAfter,
            @NotNull @DefaultValue("250ms") Duration pollInterval,
            @Min(1) @Max(1000) @DefaultValue("50") int batchSize) {}

    /**
     * {@code maxWait} bounds {@code ?wait=}; {@code recheckInterval} is the safety net that re-reads the
     * database in case a change notification was lost while the listener reconnected.
     */
    public record LongPoll(
            @NotNull @DefaultValue("30s") Duration maxWait,
            @NotNull @DefaultValue("5s") Duration recheckInterval) {}

    public record Outbox(
            @NotBlank @DefaultValue("orders.events") String exchange,
            @NotNull @DefaultValue("1s") Duration pollInterval,
            @Min(1) @Max(10_000) @DefaultValue("200") int batchSize,
            @NotNull @DefaultValue("5s") Duration confirmTimeout,
            @NotNull @DefaultValue("30s") Duration maxBackoff,
            @NotNull @DefaultValue("1d") Duration retention) {}

    /**
     * Calls that arrive without a deadline get these; streams get a longer one so a forgotten watch does
     * not live forever.
     */
    public record Grpc(
            @NotNull @DefaultValue("30s") Duration defaultDeadline,
            @NotNull @DefaultValue("30m") Duration defaultStreamDeadline,
            @Min(1) @DefaultValue("1000") int maxImportOrders,
            @Min(1) @DefaultValue("100") int maxTrackedOrders) {}

    /**
     * Tokens must carry this issuer and audience. {@code developmentHeader} lets a caller name itself with
     * {@code X-Customer-Id} (gRPC: {@code x-customer-id}) instead of a token: for local experiments only.
     */
    public record Security(
            @NotBlank @DefaultValue("protocol-lab") String issuer,
            @NotBlank @DefaultValue("protocol-lab") String audience,
            @DefaultValue("false") boolean developmentHeader) {}

    public record Idempotency(@NotNull @DefaultValue("1d") Duration retention) {}

    /**
     * {@code maxRequestBodySize} bounds what the REST API reads: the largest valid order (100 lines) is
     * about 12 KB, so anything past the limit is refused with 413 before it costs memory or parsing.
     */
    public record Web(@NotNull @DefaultValue("256KB") DataSize maxRequestBodySize) {}
}
