package dev.protocollab.gateway.transport;

import io.netty.channel.ChannelOption;
import io.netty.channel.unix.UnixChannelOption;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.http.client.ReactorResourceFactory;
import reactor.core.Disposable;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

/**
 * Applies {@code gateway.transport.server} to every listener: Spring Boot's cleartext server (as its
 * customizer), the TLS listener ({@link #apply} as well) and the HTTP/3 one ({@link #quic}, the settings
 * that mean something over UDP). The event loops of Boot's server are the {@code ReactorResourceFactory}'s,
 * which {@link TransportConfiguration} provides; the other listeners are put on the same loops here. The
 * cleartext server as configured is kept, so {@link ReusePortAcceptors} can bind more listening sockets
 * exactly like it.
 */
public final class ServerTransport implements NettyServerCustomizer {

    private static final Logger log = LoggerFactory.getLogger(ServerTransport.class);

    private final TransportProperties.Server settings;
    private final boolean metrics;
    private final Connections connections;
    private final ReactorResourceFactory resources;
    private volatile HttpServer configured;

    ServerTransport(TransportProperties properties, Connections connections, ReactorResourceFactory resources) {
        this.settings = properties.server();
        this.metrics = properties.metrics();
        this.connections = connections;
        this.resources = resources;
        if (settings.reusePortAcceptors() > 1 && !LoopResources.hasNativeSupport()) {
            throw new IllegalStateException(
                    "gateway.transport.server.reuse-port-acceptors needs Netty's native transport (Linux epoll)");
        }
    }

    /** A TCP listener: backlog, event loops, SO_REUSEPORT, Nagle, keep-alive, connection and stream metrics. */
    @Override
    public HttpServer apply(HttpServer server) {
        HttpServer customized = server.runOn(resources.getLoopResources())
                .childOption(ChannelOption.TCP_NODELAY, settings.tcpNoDelay())
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

    /**
     * The HTTP/3 listener: one UDP socket, so no accept queue, no acceptor, no Nagle and no TCP keep-alive
     * (docs/patterns.md says why each does not apply); it runs on one of the gateway's worker loops, which
     * carries every QUIC connection of that socket.
     */
    public HttpServer quic(HttpServer server) {
        HttpServer customized = server.runOn(SplitLoops.workersOnly(resources.getLoopResources()))
                .doOnBound(bound -> connections.listening(bound.channel()));
        return metrics ? customized.metrics(true, UriTags::template) : customized;
    }

    /**
     * {@code SO_REUSEPORT} multi-acceptor mode. A Netty server socket belongs to one event loop, so however
     * many acceptor threads there are, one listening socket is accepted from by one thread. With
     * {@code reuse-port-acceptors: N} a TCP listener gets N-1 more listening sockets on its port, bound with
     * {@code SO_REUSEPORT} beside the first: the kernel hashes each new connection to one of them, so N
     * threads accept in parallel and each socket has its own accept queue of {@code backlog}.
     *
     * @param handled the listener as {@link #apply} configured it, with its handler
     * @param port the port the first socket really bound
     * @return what unbinds them (and stops their acceptor threads); nothing to do with one acceptor
     */
    public Disposable moreAcceptors(HttpServer handled, int port) {
        List<DisposableServer> extra = new ArrayList<>();
        List<LoopResources> acceptorLoops = new ArrayList<>();
        for (int i = 1; i < settings.reusePortAcceptors(); i++) {
            LoopResources acceptor = LoopResources.create("gateway-acceptor-" + port + "-" + i, 1, 1, true);
            acceptorLoops.add(acceptor);
            extra.add(handled.port(port)
                    .runOn(SplitLoops.ownAcceptor(acceptor, resources.getLoopResources()))
                    .bindNow(Duration.ofSeconds(10)));
        }
        if (!extra.isEmpty()) {
            log.info(
                    "{} listening sockets share port {} with SO_REUSEPORT ({})",
                    extra.size() + 1,
                    port,
                    extra.stream()
                            .map(server -> ((InetSocketAddress) server.address()).toString())
                            .toList());
        }
        return () -> {
            extra.forEach(server -> server.disposeNow(Duration.ofSeconds(10)));
            acceptorLoops.forEach(loops -> loops.disposeLater().block(Duration.ofSeconds(10)));
        };
    }

    /** The server as configured for the cleartext port, without its handler; null before Boot built it. */
    HttpServer configured() {
        return configured;
    }
}
