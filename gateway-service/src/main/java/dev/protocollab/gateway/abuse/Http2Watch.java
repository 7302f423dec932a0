package dev.protocollab.gateway.abuse;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2FrameListenerDecorator;
import io.netty.handler.codec.http2.Http2Settings;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Sits at the head of every accepted connection's pipeline until the connection turns out to speak HTTP/2
 * (Reactor Netty adds the HTTP/2 codec only then: at the h2c preface, after an h2c Upgrade, or after ALPN
 * chose h2), then hooks the codec and leaves:
 *
 * <ul>
 *   <li>limits per window on RST_STREAM frames (rapid reset) and on SETTINGS, PING, PRIORITY and unknown
 *       frames, which Netty does not limit: its only defence there is a bound on control frames queued
 *       unflushed, which a flood at a few thousand frames a second never reaches, since the
 *       acknowledgements fit in the socket buffers;
 *   <li>a listener for the GOAWAY the codec sends with ENHANCE_YOUR_CALM (the limits above, or Netty's
 *       own RST_STREAM and queued-control-frames limits): the connection is counted as closed for abuse and
 *       its address gets the penalty, so reconnecting at once is refused at accept time.
 * </ul>
 *
 * It sits right behind the TLS handler on the TLS listener, so it sees the bytes in clear and the codec ALPN
 * added before the first of them. HTTP/1.1 connections keep it; it costs one pipeline lookup per read.
 */
@ChannelHandler.Sharable
final class Http2Watch extends ChannelInboundHandlerAdapter {

    static final String NAME = "gateway.abuse.http2Watch";

    /** After its GOAWAY the codec closes once the frame is written; a peer that never reads is closed anyway. */
    private static final long CLOSE_GRACE_MILLIS = 1_000;

    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final AddressLimits limits;
    private final AbuseMeters meters;
    private final AbuseProperties settings;

    Http2Watch(AddressLimits limits, AbuseMeters meters, AbuseProperties settings) {
        this.limits = limits;
        this.meters = meters;
        this.settings = settings;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (watching(ctx)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (msg instanceof ByteBuf bytes && startsWithPreface(bytes)) {
            // h2c prior knowledge: the codec is added when the preface is read, and would decode every
            // frame behind it in the same read before it could be watched; pass the preface on alone
            ctx.fireChannelRead(bytes.readRetainedSlice(PREFACE.length));
            watching(ctx);
            ctx.fireChannelRead(bytes);
            return;
        }
        ctx.fireChannelRead(msg);
        watching(ctx);
    }

    /** Whether the HTTP/2 codec is there; if so, watches it and leaves the pipeline. */
    private boolean watching(ChannelHandlerContext ctx) {
        Http2FrameCodec codec = ctx.pipeline().get(Http2FrameCodec.class);
        if (codec == null) {
            return false;
        }
        ctx.pipeline().remove(ctx.name());
        watch(ctx.channel(), codec);
        return true;
    }

    private static boolean startsWithPreface(ByteBuf bytes) {
        if (bytes.readableBytes() <= PREFACE.length) {
            return false;
        }
        for (int i = 0; i < PREFACE.length; i++) {
            if (bytes.getByte(bytes.readerIndex() + i) != PREFACE[i]) {
                return false;
            }
        }
        return true;
    }

    private void watch(Channel channel, Http2FrameCodec codec) {
        FrameLimits limit = new FrameLimits(codec.decoder().frameListener());
        codec.decoder().frameListener(limit);
        codec.connection().addListener(new Http2ConnectionAdapter() {
            @Override
            public void onGoAwaySent(int lastStreamId, long errorCode, ByteBuf debugData) {
                if (errorCode != Http2Error.ENHANCE_YOUR_CALM.code()) {
                    return;
                }
                AbuseMeters.Abuse abuse = limit.exceeded != null
                        ? limit.exceeded
                        // Netty's own RST_STREAM limit (200 in 30 s), left in place behind this one
                        : debugData.toString(StandardCharsets.US_ASCII).contains("RST")
                                ? AbuseMeters.Abuse.RAPID_RESET
                                : AbuseMeters.Abuse.ENHANCE_YOUR_CALM;
                closedForAbuse(channel, abuse);
            }
        });
    }

    private void closedForAbuse(Channel channel, AbuseMeters.Abuse abuse) {
        meters.closed(abuse);
        if (channel.remoteAddress() instanceof InetSocketAddress remote) {
            limits.penalize(remote.getAddress());
        }
        channel.eventLoop().schedule(() -> channel.close(), CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * Counts, in fixed windows as Netty's own RST_STREAM limit does, the RST_STREAM frames a client sends
     * (rapid reset: a stream opened and cancelled at once still costs the gateway a request's work) and
     * the frames that carry no request and no data; one past either limit is a connection error (GOAWAY
     * ENHANCE_YOUR_CALM, then close). A real client sends a SETTINGS or two per connection and few PINGs
     * (gRPC's flow-control pings are limited to two between the frames the client itself sends). Netty's
     * RST_STREAM limit is set through Reactor Netty's HTTP/2 settings, which Spring Boot replaces after
     * every customizer; counting here does not depend on that order.
     */
    private final class FrameLimits extends Http2FrameListenerDecorator {

        private final Window resets =
                new Window(settings.maxResets(), settings.resetWindow().toNanos());
        private final Window controlFrames = new Window(
                settings.maxControlFrames(), settings.controlFrameWindow().toNanos());
        private AbuseMeters.Abuse exceeded;

        FrameLimits(Http2FrameListener listener) {
            super(listener);
        }

        private void count(Window window, AbuseMeters.Abuse abuse, String frames) throws Http2Exception {
            if (!window.add(System.nanoTime())) {
                exceeded = abuse;
                throw Http2Exception.connectionError(
                        Http2Error.ENHANCE_YOUR_CALM,
                        "Maximum number %d of %s reached within %d ms",
                        window.max,
                        frames,
                        TimeUnit.NANOSECONDS.toMillis(window.nanos));
            }
        }

        private void control() throws Http2Exception {
            count(controlFrames, AbuseMeters.Abuse.CONTROL_FRAMES, "SETTINGS, PING, PRIORITY and unknown frames");
        }

        @Override
        public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) throws Http2Exception {
            count(resets, AbuseMeters.Abuse.RAPID_RESET, "RST_STREAM frames");
            super.onRstStreamRead(ctx, streamId, errorCode);
        }

        @Override
        public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings received) throws Http2Exception {
            control();
            super.onSettingsRead(ctx, received);
        }

        @Override
        public void onSettingsAckRead(ChannelHandlerContext ctx) throws Http2Exception {
            control();
            super.onSettingsAckRead(ctx);
        }

        @Override
        public void onPingRead(ChannelHandlerContext ctx, long data) throws Http2Exception {
            control();
            super.onPingRead(ctx, data);
        }

        @Override
        public void onPingAckRead(ChannelHandlerContext ctx, long data) throws Http2Exception {
            control();
            super.onPingAckRead(ctx, data);
        }

        @Override
        public void onPriorityRead(
                ChannelHandlerContext ctx, int streamId, int streamDependency, short weight, boolean exclusive)
                throws Http2Exception {
            control();
            super.onPriorityRead(ctx, streamId, streamDependency, weight, exclusive);
        }

        @Override
        public void onUnknownFrame(
                ChannelHandlerContext ctx, byte frameType, int streamId, Http2Flags flags, ByteBuf payload)
                throws Http2Exception {
            control();
            super.onUnknownFrame(ctx, frameType, streamId, flags, payload);
        }
    }

    /** At most {@code max} events in each fixed window of {@code nanos}; one connection's, on its event loop. */
    static final class Window {

        private final int max;
        private final long nanos;
        private long start;
        private int events;
        private boolean started;

        Window(int max, long nanos) {
            this.max = max;
            this.nanos = nanos;
        }

        /** Counts an event at {@code now}; false once the window holds more than {@code max}. */
        boolean add(long now) {
            if (!started || now - start >= nanos) {
                started = true;
                start = now;
                events = 0;
            }
            return ++events <= max;
        }
    }
}
