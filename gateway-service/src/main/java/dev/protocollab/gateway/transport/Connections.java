package dev.protocollab.gateway.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelId;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the sockets really are, read back from Netty rather than from configuration: the listening
 * channels and the options of the latest connection accepted and opened upstream. The info endpoint
 * shows it ({@code /actuator/info} → {@code transport}), and tests assert on it, so a setting that stops
 * reaching the socket shows up as a difference here.
 */
final class Connections {

    private final List<ServerChannel> listeners = new CopyOnWriteArrayList<>();
    private final List<DatagramChannel> datagramListeners = new CopyOnWriteArrayList<>();
    private final Side accepted = new Side();
    private final Side upstream = new Side();

    void listening(Channel channel) {
        if (channel instanceof ServerChannel server) {
            listeners.add(server);
            server.closeFuture().addListener(closed -> listeners.remove(server));
        } else if (channel instanceof DatagramChannel udp) { // HTTP/3: one UDP socket, no accept
            datagramListeners.add(udp);
            udp.closeFuture().addListener(closed -> datagramListeners.remove(udp));
        }
    }

    void accepted(Channel channel) {
        accepted.seen(channel);
    }

    void upstream(Channel channel) {
        upstream.seen(channel);
    }

    List<ServerChannel> listeners() {
        return List.copyOf(listeners);
    }

    /** The HTTP/3 listener's UDP sockets. */
    List<DatagramChannel> datagramListeners() {
        return List.copyOf(datagramListeners);
    }

    Side accepted() {
        return accepted;
    }

    Side upstream() {
        return upstream;
    }

    Map<String, Object> describe() {
        Map<String, Object> description = new LinkedHashMap<>();
        List<Map<String, Object>> sockets = new ArrayList<>();
        for (ServerChannel listener : listeners) {
            Map<String, Object> socket = new LinkedHashMap<>();
            socket.put("address", String.valueOf(listener.localAddress()));
            socket.put("channel", listener.getClass().getSimpleName());
            socket.put("backlog", listener.config().getOption(ChannelOption.SO_BACKLOG));
            socket.put("acceptorThread", listener.eventLoop().toString());
            socket.put("acceptorGroupThreads", threads(listener.eventLoop().parent()));
            sockets.add(socket);
        }
        for (DatagramChannel udp : datagramListeners) {
            Map<String, Object> socket = new LinkedHashMap<>();
            socket.put("address", "udp " + udp.localAddress());
            socket.put("channel", udp.getClass().getSimpleName());
            socket.put("thread", udp.eventLoop().toString());
            socket.put("groupThreads", threads(udp.eventLoop().parent()));
            sockets.add(socket);
        }
        description.put("listeners", sockets);
        description.put("accepted", accepted.describe());
        description.put("upstream", upstream.describe());
        return description;
    }

    static int threads(EventLoopGroup group) {
        int threads = 0;
        for (EventExecutor ignored : group) {
            threads++;
        }
        return threads;
    }

    /** One direction's TCP connections: how many were opened, how many are open, the latest one's options. */
    static final class Side {

        private final Set<ChannelId> open = ConcurrentHashMap.newKeySet();
        private final AtomicLong opened = new AtomicLong();
        private final Map<String, AtomicLong> perListener = new ConcurrentHashMap<>();
        private volatile Map<String, Object> latest = Map.of();

        /** HTTP/2 streams are child channels of their connection: count the TCP connection once. */
        void seen(Channel channel) {
            Channel socket = channel;
            while (socket != null && !(socket instanceof SocketChannel)) {
                socket = socket.parent();
            }
            if (socket instanceof SocketChannel tcp && open.add(tcp.id())) {
                opened.incrementAndGet();
                if (tcp.parent() != null) {
                    perListener
                            .computeIfAbsent(
                                    String.valueOf(tcp.parent().localAddress()) + " "
                                            + tcp.parent().id(),
                                    key -> new AtomicLong())
                            .incrementAndGet();
                }
                // read when the connection is new: a connection without keep-alive may be gone when asked
                Map<String, Object> options = new LinkedHashMap<>();
                options.put("localPort", ((InetSocketAddress) tcp.localAddress()).getPort());
                options.put("tcpNoDelay", tcp.config().getOption(ChannelOption.TCP_NODELAY));
                options.put("soKeepAlive", tcp.config().getOption(ChannelOption.SO_KEEPALIVE));
                options.put("eventLoopGroupThreads", threads(tcp.eventLoop().parent()));
                latest = options;
                tcp.closeFuture().addListener(closed -> open.remove(tcp.id()));
            }
        }

        long opened() {
            return opened.get();
        }

        int open() {
            return open.size();
        }

        /** Options of the latest connection: localPort, tcpNoDelay, soKeepAlive, eventLoopGroupThreads. */
        Map<String, Object> latest() {
            return latest;
        }

        /** Accepted connections per listening socket (address and channel id), for SO_REUSEPORT. */
        Map<String, Long> perListener() {
            Map<String, Long> counts = new LinkedHashMap<>();
            perListener.forEach((listener, count) -> counts.put(listener, count.get()));
            return counts;
        }

        Map<String, Object> describe() {
            Map<String, Object> description = new LinkedHashMap<>();
            description.put("opened", opened());
            description.put("open", open());
            description.putAll(latest);
            if (!perListener.isEmpty()) {
                description.put("perListener", perListener());
            }
            return description;
        }
    }
}
