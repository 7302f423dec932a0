package dev.protocollab.gateway.abuse;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * {@code gateway.abuse.connections.refused{reason=penalty|rate|open-connections}}: connections closed at
 * accept time; {@code gateway.abuse.connections.closed{reason=rapid-reset|control-frames|enhance-your-calm}}:
 * HTTP/2 connections closed for abuse; {@code gateway.abuse.addresses.penalized}: addresses in their cool-down.
 * Registered once every bean exists: the limits are built with Spring Boot's web server, before the
 * registry, and taking the registry that early would build it before its own customizers.
 */
final class AbuseMeters implements SmartInitializingSingleton {

    /** Why an HTTP/2 connection was closed for abuse. */
    enum Abuse {
        /** Netty's RST_STREAM limit: streams opened and reset faster than {@code maxResets} per window. */
        RAPID_RESET,
        /** The gateway's own limit on SETTINGS, PING, PRIORITY and unknown frames. */
        CONTROL_FRAMES,
        /** Any other ENHANCE_YOUR_CALM from Netty's codec (its queue of unflushed control frames, for one). */
        ENHANCE_YOUR_CALM;

        String tag() {
            return name().toLowerCase().replace('_', '-');
        }
    }

    private final ObjectProvider<MeterRegistry> registry;
    private final AddressLimits limits;
    private final Map<AddressLimits.Verdict, Counter> refused = new EnumMap<>(AddressLimits.Verdict.class);
    private final Map<Abuse, Counter> closed = new EnumMap<>(Abuse.class);
    private volatile boolean registered;

    AbuseMeters(ObjectProvider<MeterRegistry> registry, AddressLimits limits) {
        this.registry = registry;
        this.limits = limits;
    }

    @Override
    public void afterSingletonsInstantiated() {
        MeterRegistry meters = registry.getObject();
        for (AddressLimits.Verdict verdict : AddressLimits.Verdict.values()) {
            if (verdict != AddressLimits.Verdict.ADMITTED) {
                refused.put(
                        verdict,
                        Counter.builder("gateway.abuse.connections.refused")
                                .description("New connections closed at accept time, before any HTTP work")
                                .tag("reason", verdict.tag())
                                .register(meters));
            }
        }
        for (Abuse abuse : Abuse.values()) {
            closed.put(
                    abuse,
                    Counter.builder("gateway.abuse.connections.closed")
                            .description("HTTP/2 connections closed for abuse (GOAWAY ENHANCE_YOUR_CALM)")
                            .tag("reason", abuse.tag())
                            .register(meters));
        }
        Gauge.builder("gateway.abuse.addresses.penalized", limits, AddressLimits::penalized)
                .description("Client addresses refused new connections for their cool-down")
                .register(meters);
        registered = true;
    }

    void refused(AddressLimits.Verdict verdict) {
        if (registered) {
            refused.get(verdict).increment();
        }
    }

    void closed(Abuse abuse) {
        if (registered) {
            closed.get(abuse).increment();
        }
    }
}
