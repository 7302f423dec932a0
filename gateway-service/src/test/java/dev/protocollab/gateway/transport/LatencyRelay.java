package dev.protocollab.gateway.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A loopback relay that delays everything the server sends by one round-trip time, as a link with that
 * latency would: each packet (UDP) or chunk (TCP) is delivered {@code rtt} after it arrived, without
 * queueing behind the one before it. So a request-response exchange through it takes one {@code rtt},
 * and elapsed time divided by {@code rtt} counts the round trips a protocol needs. What the client sends
 * goes through at once; so does TCP's own handshake, which the relay's kernel answers.
 */
final class LatencyRelay implements AutoCloseable {

    private final Duration rtt;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final DelayQueue<Delivery> deliveries = new DelayQueue<>();
    private final AtomicLong serverBytes = new AtomicLong();
    private final List<Packet> serverPackets = new CopyOnWriteArrayList<>();
    private final List<Packet> clientPackets = new CopyOnWriteArrayList<>();
    private final AutoCloseable socket;
    private final int port;

    private LatencyRelay(Duration rtt, AutoCloseable socket, int port) {
        this.rtt = rtt;
        this.socket = socket;
        this.port = port;
        threads.execute(this::deliver);
    }

    static LatencyRelay tcp(int targetPort, Duration rtt) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        LatencyRelay relay = new LatencyRelay(rtt, server, server.getLocalPort());
        relay.threads.execute(() -> relay.acceptLoop(server, targetPort));
        return relay;
    }

    static LatencyRelay udp(int targetPort, Duration rtt) throws IOException {
        DatagramChannel client = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        DatagramChannel server = DatagramChannel.open().connect(new InetSocketAddress("127.0.0.1", targetPort));
        LatencyRelay relay = new LatencyRelay(
                rtt,
                () -> {
                    client.close();
                    server.close();
                },
                ((InetSocketAddress) client.getLocalAddress()).getPort());
        AtomicReference<SocketAddress> peer = new AtomicReference<>();
        relay.threads.execute(() -> relay.udpToServer(client, server, peer));
        relay.threads.execute(() -> relay.udpToClient(server, client, peer));
        return relay;
    }

    int port() {
        return port;
    }

    /** Bytes the server has sent through the relay so far. */
    long serverBytes() {
        return serverBytes.get();
    }

    /** The datagrams the server sent, as they arrived at the relay (UDP only). */
    List<Packet> serverPackets() {
        return List.copyOf(serverPackets);
    }

    /** The datagrams the client sent (UDP only). */
    List<Packet> clientPackets() {
        return List.copyOf(clientPackets);
    }

    /** One datagram: its QUIC packet type (of the first packet in it), when it passed, its size. */
    record Packet(String type, long nanos, int bytes) {}

    /** RFC 9000 §17.2: a long header has the top bit set and its type in the next-but-one two bits. */
    static String quicPacketType(byte first) {
        if ((first & 0x80) == 0) {
            return "1-RTT";
        }
        return switch ((first >> 4) & 0x03) {
            case 0 -> "Initial";
            case 1 -> "0-RTT";
            case 2 -> "Handshake";
            default -> "Retry";
        };
    }

    @Override
    public void close() throws Exception {
        socket.close();
        threads.shutdownNow();
    }

    private void acceptLoop(ServerSocket server, int targetPort) {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket("127.0.0.1", targetPort);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                threads.execute(() -> copy(client, upstream));
                threads.execute(() -> delayed(upstream, client));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private static void copy(Socket from, Socket to) {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream()) {
            for (int read; (read = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, read);
            }
        } catch (IOException e) {
            // either side closed
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void delayed(Socket from, Socket to) {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = from.getInputStream()) {
            for (int read; (read = in.read(buffer)) >= 0; ) {
                serverBytes.addAndGet(read);
                byte[] chunk = Arrays.copyOf(buffer, read);
                deliveries.add(new Delivery(rtt, () -> {
                    try {
                        to.getOutputStream().write(chunk);
                    } catch (IOException e) {
                        closeQuietly(to);
                    }
                }));
            }
        } catch (IOException e) {
            // closed
        } finally {
            deliveries.add(new Delivery(rtt, () -> closeQuietly(to)));
        }
    }

    private void udpToServer(DatagramChannel client, DatagramChannel server, AtomicReference<SocketAddress> peer) {
        ByteBuffer buffer = ByteBuffer.allocate(65_535);
        try {
            while (client.isOpen()) {
                buffer.clear();
                peer.set(client.receive(buffer));
                buffer.flip();
                clientPackets.add(new Packet(quicPacketType(buffer.get(0)), System.nanoTime(), buffer.remaining()));
                server.write(buffer);
            }
        } catch (IOException closed) {
            // relay closed
        }
    }

    private void udpToClient(DatagramChannel server, DatagramChannel client, AtomicReference<SocketAddress> peer) {
        ByteBuffer buffer = ByteBuffer.allocate(65_535);
        try {
            while (server.isOpen()) {
                buffer.clear();
                server.read(buffer);
                buffer.flip();
                serverBytes.addAndGet(buffer.remaining());
                serverPackets.add(new Packet(quicPacketType(buffer.get(0)), System.nanoTime(), buffer.remaining()));
                ByteBuffer packet =
                        ByteBuffer.allocate(buffer.remaining()).put(buffer).flip();
                deliveries.add(new Delivery(rtt, () -> {
                    try {
                        client.send(packet, peer.get());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }));
            }
        } catch (IOException closed) {
            // relay closed
        }
    }

    private void deliver() {
        try {
            while (true) {
                deliveries.take().action.run();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // the client went away; the relay is being closed
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    private static final class Delivery implements Delayed {

        private final long due;
        private final Runnable action;

        Delivery(Duration delay, Runnable action) {
            this.due = System.nanoTime() + delay.toNanos();
            this.action = action;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(due - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(due, ((Delivery) other).due);
        }
    }
}
