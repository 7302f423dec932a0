package dev.protocollab.gateway.abuse;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import java.net.InetSocketAddress;

/**
 * The first handler of a listening socket's pipeline, where each accepted connection arrives as a
 * {@link Channel} before the server registers it with a worker loop or builds its pipeline. A refused one
 * is reset there (SO_LINGER 0, so neither side keeps it in TIME_WAIT): no TLS handshake, no HTTP/2 codec,
 * no filter ever runs for it. An admitted one is counted open until it closes.
 */
@ChannelHandler.Sharable
final class AcceptGate extends ChannelInboundHandlerAdapter {

    static final String NAME = "gateway.abuse.acceptGate";

    private final AddressLimits limits;
    private final AbuseMeters meters;

    AcceptGate(AddressLimits limits, AbuseMeters meters) {
        this.limits = limits;
        this.meters = meters;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Channel child) || !(child.remoteAddress() instanceof InetSocketAddress remote)) {
            ctx.fireChannelRead(msg);
            return;
        }
        AddressLimits.Verdict verdict = limits.admit(remote.getAddress());
        if (verdict == AddressLimits.Verdict.ADMITTED) {
            child.closeFuture().addListener(closed -> limits.closed(remote.getAddress()));
            ctx.fireChannelRead(child);
            return;
        }
        meters.refused(verdict);
        try {
            child.config().setOption(ChannelOption.SO_LINGER, 0);
        } finally {
            child.unsafe().closeForcibly(); // not registered with any loop yet: what Netty's acceptor does too
        }
    }
}
