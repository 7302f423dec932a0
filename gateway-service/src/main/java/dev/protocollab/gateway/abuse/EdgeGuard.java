package dev.protocollab.gateway.abuse;

import io.netty.channel.socket.SocketChannel;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;

/**
 * Puts the abuse limits ({@code gateway.abuse}) on a listener: the {@link AcceptGate} on each listening
 * socket and the {@link Http2Watch} on each accepted connection. As a {@link NettyServerCustomizer} it guards Spring Boot's cleartext server, the first one
 * Boot builds, not the management server built after it; it runs before the transport customizer, so the
 * extra SO_REUSEPORT sockets bound like the cleartext one are guarded too. The TLS listener calls
 * {@link #guard} itself.
 */
public final class EdgeGuard implements NettyServerCustomizer {

    private final AbuseProperties settings;
    private final AcceptGate gate;
    private final Http2Watch watch;
    private boolean cleartextGuarded;

    EdgeGuard(AbuseProperties settings, AddressLimits limits, AbuseMeters meters) {
        this.settings = settings;
        this.gate = new AcceptGate(limits, meters);
        this.watch = new Http2Watch(limits, meters, settings);
    }

    @Override
    public synchronized HttpServer apply(HttpServer server) {
        if (cleartextGuarded) {
            return server;
        }
        cleartextGuarded = true;
        return guard(server);
    }

    /** {@code server} with the limits (unchanged when {@code gateway.abuse.enabled} is false). */
    public HttpServer guard(HttpServer server) {
        if (!settings.enabled()) {
            return server;
        }
        return server.doOnBound(bound -> bound.channel().pipeline().addFirst(AcceptGate.NAME, gate))
                .doOnChannelInit((observer, channel, remote) -> {
                    if (!(channel instanceof SocketChannel)) {
                        return; // an HTTP/2 stream's own channel
                    }
                    if (channel.pipeline().get(NettyPipeline.SslHandler) != null) {
                        channel.pipeline().addAfter(NettyPipeline.SslHandler, Http2Watch.NAME, watch);
                    } else {
                        channel.pipeline().addFirst(Http2Watch.NAME, watch);
                    }
                });
    }
}
