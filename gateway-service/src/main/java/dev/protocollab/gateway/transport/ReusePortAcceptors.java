package dev.protocollab.gateway.transport;

import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.Environment;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

/**
 * {@code SO_REUSEPORT} multi-acceptor mode. A Netty server socket belongs to one event loop, so however
 * many acceptor threads there are, one listening socket is accepted from by one thread. With
 * {@code reuse-port-acceptors: N} the cleartext port gets N-1 more listening sockets, bound with
 * {@code SO_REUSEPORT} beside Spring Boot's own: the kernel hashes each new connection to one of them, so
 * N threads accept in parallel and each socket has its own accept queue of {@code backlog}.
 */
final class ReusePortAcceptors implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ReusePortAcceptors.class);

    private final int acceptors;
    private final ServerTransport transport;
    private final ObjectProvider<HttpHandler> httpHandler;
    private final ReactorResourceFactory resources;
    private final Environment environment;
    private final List<DisposableServer> extra = new ArrayList<>();
    private final List<LoopResources> acceptorLoops = new ArrayList<>();
    private volatile boolean running;

    ReusePortAcceptors(
            TransportProperties properties,
            ServerTransport transport,
            ObjectProvider<HttpHandler> httpHandler,
            ReactorResourceFactory resources,
            Environment environment) {
        this.acceptors = properties.server().reusePortAcceptors();
        this.transport = transport;
        this.httpHandler = httpHandler;
        this.resources = resources;
        this.environment = environment;
    }

    @Override
    public synchronized void start() {
        running = true;
        HttpServer configured = transport.configured();
        if (acceptors < 2 || configured == null) {
            return;
        }
        // the port Boot's server really bound (the configured one, or the one chosen for port 0)
        int port = environment.getRequiredProperty("local.server.port", Integer.class);
        ReactorHttpHandlerAdapter handler = new ReactorHttpHandlerAdapter(httpHandler.getObject());
        for (int i = 1; i < acceptors; i++) {
            LoopResources acceptor = LoopResources.create("gateway-acceptor-" + i, 1, 1, true);
            acceptorLoops.add(acceptor);
            extra.add(configured
                    .port(port)
                    .runOn(new OwnAcceptor(acceptor, resources.getLoopResources()))
                    .handle(handler)
                    .bindNow(Duration.ofSeconds(10)));
        }
        log.info(
                "{} listening sockets share port {} with SO_REUSEPORT ({})",
                acceptors,
                port,
                extra.stream()
                        .map(server -> ((InetSocketAddress) server.address()).toString())
                        .toList());
    }

    @Override
    public synchronized void stop() {
        running = false;
        extra.forEach(server -> server.disposeNow(Duration.ofSeconds(10)));
        extra.clear();
        acceptorLoops.forEach(loops -> loops.disposeLater().block(Duration.ofSeconds(10)));
        acceptorLoops.clear();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** After Spring Boot's web server, whose port it shares; stopped before it. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 1000;
    }

    /**
     * A listening socket's own acceptor thread, so no two sockets share one (round-robin over a shared
     * group would put them together); its connections run on the gateway's workers like all others.
     */
    private record OwnAcceptor(LoopResources acceptor, LoopResources workers) implements LoopResources {

        @Override
        public EventLoopGroup onServerSelect(boolean useNative) {
            return acceptor.onServerSelect(useNative);
        }

        @Override
        public EventLoopGroup onServer(boolean useNative) {
            return workers.onServer(useNative);
        }

        @Override
        public EventLoopGroup onClient(boolean useNative) {
            return workers.onClient(useNative);
        }

        @Override
        public <C extends io.netty.channel.Channel> C onChannel(Class<C> channelType, EventLoopGroup group) {
            return workers.onChannel(channelType, group);
        }

        @Override
        public <C extends io.netty.channel.Channel> Class<? extends C> onChannelClass(
                Class<C> channelType, EventLoopGroup group) {
            return workers.onChannelClass(channelType, group);
        }

        /** The shared workers belong to the ReactorResourceFactory; only the acceptor is this socket's. */
        @Override
        public reactor.core.publisher.Mono<Void> disposeLater(Duration quietPeriod, Duration timeout) {
            return reactor.core.publisher.Mono.empty();
        }
    }
}
