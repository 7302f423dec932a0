package dev.protocollab.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A TCP proxy on loopback that a test puts between a service and one of its dependencies, to cut the
 * connection ({@link #disable()}: open connections are reset and new ones refused, as when the
 * dependency is down), to bring it back ({@link #enable()}), or to add latency to every chunk sent
 * towards the dependency's client.
 */
public final class TcpProxy implements AutoCloseable {

    private final String targetHost;
    private final int targetPort;
    private final int port;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket server;
    private volatile Duration latency = Duration.ZERO;

    private TcpProxy(String targetHost, int targetPort, int port) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.port = port;
    }

    /** A proxy that forwards to {@code host:port}, listening on a free loopback port. */
    public static TcpProxy start(String targetHost, int targetPort) {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        TcpProxy proxy = new TcpProxy(targetHost, targetPort, port);
        proxy.enable();
        return proxy;
    }

    /** A proxy that starts disabled: the dependency looks down until {@link #enable()}. */
    public static TcpProxy startDisabled(String targetHost, int targetPort) {
        TcpProxy proxy = start(targetHost, targetPort);
        proxy.disable();
        return proxy;
    }

    public int port() {
        return port;
    }

    public synchronized void enable() {
        if (server != null) {
            return;
        }
        try {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            server = socket;
            threads.execute(() -> accept(socket));
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on " + port, e);
        }
    }

    public synchronized void disable() {
        ServerSocket socket = server;
        server = null;
        closeQuietly(socket);
        open.forEach(TcpProxy::closeQuietly);
        open.clear();
    }

    public void latency(Duration latency) {
        this.latency = latency;
    }

    @Override
    public void close() {
        disable();
        threads.shutdownNow();
    }

    private void accept(ServerSocket socket) {
        while (!socket.isClosed()) {
            try {
                Socket client = socket.accept();
                Socket upstream = new Socket();
                try {
                    upstream.connect(new InetSocketAddress(targetHost, targetPort), 5_000);
                } catch (IOException e) {
                    closeQuietly(client);
                    closeQuietly(upstream);
                    continue;
                }
                open.add(client);
                open.add(upstream);
                threads.execute(() -> pipe(client, upstream, Duration.ZERO));
                threads.execute(() -> pipe(upstream, client, null));
            } catch (SocketException closed) {
                return;
            } catch (IOException e) {
                return;
            }
        }
    }

    /** Copies bytes one way; a {@code null} delay means "use the proxy's current latency". */
    private void pipe(Socket from, Socket to, Duration fixedDelay) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream()) {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                Duration delay = fixedDelay == null ? latency : fixedDelay;
                if (!delay.isZero()) {
                    Thread.sleep(delay);
                }
                out.write(buffer, 0, read);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // one side closed or the proxy was disabled: close both, as a real cut would
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            open.remove(from);
            open.remove(to);
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            if (closeable instanceof Socket socket && !socket.isClosed()) {
                socket.setSoLinger(true, 0); // reset, not a graceful close
            }
            closeable.close();
        } catch (Exception ignored) {
            // already closed
        }
    }
}
