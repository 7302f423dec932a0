package dev.protocollab.gateway.abuse;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Limits against abusive clients on the TCP listeners (cleartext h1/h2c, and TLS), per client address
 * (the TCP peer; an IPv6 address counts by its /64). A new connection is refused at accept time, closed
 * before any HTTP work, when its address is in its {@code penalty} cool-down, has used up its token
 * bucket of {@code newConnectionsPerSecond} (bursts of {@code newConnectionBurst}), or already holds
 * {@code maxConnectionsPerAddress} open connections. HTTP/2 connections are closed (GOAWAY
 * ENHANCE_YOUR_CALM) after {@code maxResets} RST_STREAM frames in {@code resetWindow} (rapid reset,
 * CVE-2023-44487) or {@code maxControlFrames} SETTINGS, PING, PRIORITY or unknown frames in
 * {@code controlFrameWindow} (SETTINGS/PING floods); their address then gets the {@code penalty}.
 * Addresses are tracked up to {@code maxTrackedAddresses} (beyond it, new ones are admitted untracked).
 * Defaults suit a public edge where many users may share one address (NAT); see docs/adr/0307.
 *
 * <p>A record of its own rather than part of {@code GatewayProperties}: the limits are read while Spring
 * Boot builds its web server, before the other beans, and binding {@code GatewayProperties} that early
 * would miss properties registered later (the tests' {@code DynamicPropertyRegistrar} upstreams).
 */
@Validated
@ConfigurationProperties("gateway.abuse")
public record AbuseProperties(
        @DefaultValue("true") boolean enabled,
        @Positive @DefaultValue("50") double newConnectionsPerSecond,
        @Min(1) @DefaultValue("200") int newConnectionBurst,
        @Min(1) @DefaultValue("256") int maxConnectionsPerAddress,
        @NotNull @DefaultValue("10s") Duration penalty,
        @Min(1) @DefaultValue("100") int maxResets,
        @NotNull @DefaultValue("10s") Duration resetWindow,
        @Min(1) @DefaultValue("200") int maxControlFrames,
        @NotNull @DefaultValue("10s") Duration controlFrameWindow,
        @Min(1) @DefaultValue("100000") int maxTrackedAddresses) {}
