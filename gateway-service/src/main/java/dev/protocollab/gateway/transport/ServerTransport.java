package dev.protocollab.gateway.transport;

import io.netty.channel.ChannelOption;
import io.netty.channel.unix.UnixChannelOption;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

/**
 * Applies {@code gateway.transport.server} to Spring Boot's cleartext server. The event loops themselves
 * are not set here: Boot's web server replaces a customizer's {@code runOn} with the
 * {@code ReactorResourceFactory}'s loops, so {@link TransportConfiguration} provides that factory.
 * The fully configured server is kept, so {@link ReusePortAcceptors} can bind more listening sockets
 * exactly like it.
 */
final class ServerTransport implements NettyServerCustomizer {

    private final TransportProperties.Server settings;
    private final boolean metrics;
    private final Connections connections;
    private volatile HttpServer configured;

    ServerTransport(TransportProperties properties, Connections connections) {
        this.settings = properties.server();
        this.metrics = properties.metrics();
        this.connections = connections;
        if (settings.reusePortAcceptors() > 1 && !LoopResources.hasNativeSupport()) {
            throw new IllegalStateException(
                    "gateway.transport.server.reuse-port-acceptors needs Netty's native transport (Linux epoll)");
        }
    }

    @Override
    public HttpServer apply(HttpServer server) {
        HttpServer customized = server.childOption(ChannelOption.TCP_NODELAY, settings.tcpNoDelay())
                .childOption(ChannelOption.SO_KEEPALIVE, settings.tcpKeepAlive())
                .maxKeepAliveRequests(settings.maxKeepAliveRequests())
                .doOnBound(bound -> connections.listening(bound.channel()))
                .doOnConnection(connection -> connections.accepted(connection.channel()));
        if (settings.backlog() > 0) {
            customized = customized.option(ChannelOption.SO_BACKLOG, settings.backlog());
        }
        if (settings.reusePortAcceptors() > 1) {
            customized = customized.option(UnixChannelOption.SO_REUSEPORT, true);
        }
        if (metrics) {
            // connections.active/total and, for HTTP/2, streams.active per listener; URIs cut to a few
            // path segments so ids never become tag values
            customized = customized.metrics(true, UriTags::template);
        }
        if (configured == null) {
            configured = customized; // the cleartext server; the management server is built after it
        }
        return customized;
    }

    /** The server as configured for the cleartext port, without its handler; null before Boot built it. */
    HttpServer configured() {
        return configured;
    }
}
