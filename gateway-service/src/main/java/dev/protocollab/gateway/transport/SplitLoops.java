package dev.protocollab.gateway.transport;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import reactor.core.publisher.Mono;
import reactor.netty.resources.LoopResources;

/**
 * The gateway's worker loops with a different group for the listening socket: an acceptor of its own (one
 * per {@code SO_REUSEPORT} socket) or, for QUIC, the workers themselves. Reactor Netty registers a UDP
 * server socket on the acceptor ("select") group, and for QUIC that socket's loop does all the work of every
 * connection on it (there is no accept: connections are demultiplexed by connection id inside the channel),
 * so it must be a worker, not an acceptor thread that sits idle on TCP.
 */
record SplitLoops(LoopResources listening, boolean listeningOnWorkers, LoopResources workers) implements LoopResources {

    static SplitLoops ownAcceptor(LoopResources acceptor, LoopResources workers) {
        return new SplitLoops(acceptor, false, workers);
    }

    static SplitLoops workersOnly(LoopResources workers) {
        return new SplitLoops(workers, true, workers);
    }

    @Override
    public EventLoopGroup onServerSelect(boolean useNative) {
        return listeningOnWorkers ? workers.onServer(useNative) : listening.onServerSelect(useNative);
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
    public <C extends Channel> C onChannel(Class<C> channelType, EventLoopGroup group) {
        return workers.onChannel(channelType, group);
    }

    @Override
    public <C extends Channel> Class<? extends C> onChannelClass(Class<C> channelType, EventLoopGroup group) {
        return workers.onChannelClass(channelType, group);
    }

    /** The shared workers belong to the ReactorResourceFactory, an own acceptor to whoever made it. */
    @Override
    public Mono<Void> disposeLater(Duration quietPeriod, Duration timeout) {
        return Mono.empty();
    }
}
