package dev.protocollab.gateway.abuse;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * What each client address may still do: a token bucket of new connections, a count of open ones, and
 * the end of its cool-down after a connection was closed for abuse. One entry per address (IPv6 by its
 * /64, which one subscriber usually holds whole), changed only through {@link ConcurrentHashMap#compute}
 * so the acceptor threads and the closing connections never race on it; entries with nothing to remember
 * are swept out.
 */
final class AddressLimits {

    /** Why a new connection was refused; the {@code reason} tag of the refused-connections counter. */
    enum Verdict {
        ADMITTED,
        PENALTY,
        RATE,
        OPEN_CONNECTIONS;

        String tag() {
            return name().toLowerCase().replace('_', '-');
        }
    }

    private static final long SWEEP_INTERVAL = TimeUnit.SECONDS.toNanos(30);

    private final ConcurrentHashMap<InetAddress, Entry> entries = new ConcurrentHashMap<>();
    private final double tokensPerNano;
    private final int burst;
    private final int maxOpen;
    private final long penaltyNanos;
    private final int maxTracked;
    private final LongSupplier clock;
    private volatile long sweptAt;

    AddressLimits(AbuseProperties settings, LongSupplier nanoClock) {
        this.tokensPerNano = settings.newConnectionsPerSecond() / 1e9;
        this.burst = settings.newConnectionBurst();
        this.maxOpen = settings.maxConnectionsPerAddress();
        this.penaltyNanos = settings.penalty().toNanos();
        this.maxTracked = settings.maxTrackedAddresses();
        this.clock = nanoClock;
        this.sweptAt = nanoClock.getAsLong();
    }

    /** A new connection from {@code address}: admitted (and counted as open until {@link #closed}), or why not. */
    Verdict admit(InetAddress address) {
        long now = clock.getAsLong();
        sweepIfDue(now);
        InetAddress key = key(address);
        if (entries.size() >= maxTracked && !entries.containsKey(key)) {
            sweep(now);
            if (entries.size() >= maxTracked) {
                // more distinct addresses than the memory bound: admitted untracked rather than refusing all
                return Verdict.ADMITTED;
            }
        }
        Verdict[] verdict = {Verdict.ADMITTED};
        entries.compute(key, (ignored, entry) -> {
            Entry current = entry == null ? new Entry(burst, now) : entry;
            verdict[0] = current.admit(now);
            return current;
        });
        return verdict[0];
    }

    /** An admitted connection from {@code address} has closed. */
    void closed(InetAddress address) {
        entries.computeIfPresent(key(address), (ignored, entry) -> {
            entry.open = Math.max(0, entry.open - 1);
            return entry;
        });
    }

    /** A connection from {@code address} was closed for abuse: refuse it new connections for the penalty. */
    void penalize(InetAddress address) {
        long now = clock.getAsLong();
        entries.compute(key(address), (ignored, entry) -> {
            Entry current = entry == null ? new Entry(burst, now) : entry;
            current.penaltyUntil = now + penaltyNanos;
            current.penalized = true;
            return current;
        });
    }

    /** Addresses in their cool-down now. */
    int penalized() {
        long now = clock.getAsLong();
        int count = 0;
        for (Entry entry : entries.values()) {
            if (entry.inPenalty(now)) {
                count++;
            }
        }
        return count;
    }

    int tracked() {
        return entries.size();
    }

    private void sweepIfDue(long now) {
        if (now - sweptAt >= SWEEP_INTERVAL) {
            sweep(now);
        }
    }

    private void sweep(long now) {
        sweptAt = now;
        for (InetAddress key : entries.keySet()) {
            entries.computeIfPresent(key, (ignored, entry) -> entry.idle(now) ? null : entry);
        }
    }

    /** IPv4 as is; IPv6 cut to its /64, so one host cannot get a fresh budget per address of its prefix. */
    static InetAddress key(InetAddress address) {
        if (address instanceof Inet6Address) {
            byte[] prefix = Arrays.copyOf(address.getAddress(), 16);
            Arrays.fill(prefix, 8, 16, (byte) 0);
            try {
                return InetAddress.getByAddress(prefix);
            } catch (UnknownHostException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
        return address;
    }

    private final class Entry {

        private double tokens;
        private long refilledAt;
        private int open;
        private long penaltyUntil;
        private boolean penalized;

        Entry(double tokens, long now) {
            this.tokens = tokens;
            this.refilledAt = now;
        }

        Verdict admit(long now) {
            if (inPenalty(now)) {
                return Verdict.PENALTY;
            }
            refill(now);
            if (tokens < 1) {
                return Verdict.RATE;
            }
            if (open >= maxOpen) {
                return Verdict.OPEN_CONNECTIONS;
            }
            tokens -= 1;
            open++;
            return Verdict.ADMITTED;
        }

        boolean inPenalty(long now) {
            return penalized && now - penaltyUntil < 0;
        }

        private void refill(long now) {
            tokens = Math.min(burst, tokens + (now - refilledAt) * tokensPerNano);
            refilledAt = now;
        }

        /** Nothing to remember: no open connection, no cool-down, a full bucket. */
        boolean idle(long now) {
            refill(now);
            return open == 0 && !inPenalty(now) && tokens >= burst;
        }
    }
}
