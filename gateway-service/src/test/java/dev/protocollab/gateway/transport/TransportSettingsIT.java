package dev.protocollab.gateway.transport;

import static dev.protocollab.gateway.TestClients.uniqueUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.protocollab.gateway.IntegrationTest;
import dev.protocollab.gateway.TestClients;
import io.netty.channel.ChannelOption;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.DatagramChannel;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * Every {@code gateway.transport} setting away from its default, each read back from the socket it should
 * have reached (or from what a client observes), on the cleartext, TLS and HTTP/3 listeners, so a setting
 * that stops taking effect on one of them fails here.
 */
@IntegrationTest
@TestPropertySource(
        properties = {
            "gateway.transport.server.backlog=" + TransportSettingsIT.BACKLOG,
            "gateway.transport.server.acceptor-threads=1",
            "gateway.transport.server.worker-threads=2",
            "gateway.transport.server.tcp-no-delay=false",
            "gateway.transport.server.tcp-keep-alive=true",
            "gateway.transport.server.max-keep-alive-requests=1",
            "gateway.transport.upstream.tcp-no-delay=false",
            "gateway.transport.upstream.tcp-keep-alive=true",
            "gateway.transport.upstream.keep-alive=false",
        })
class TransportSettingsIT {

    static final int BACKLOG = 2;
    private static final String REQUEST =
            "GET /.well-known/jwks.json HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

    @Autowired
    TestClients clients;

    @Autowired
    Connections connections;

    /**
     * The acceptor is stalled (its one thread is kept busy), as in an overloaded server that cannot call
     * accept() fast enough. The kernel still completes handshakes into the accept queue: backlog + 1
     * clients connect (Linux admits one more than the backlog) but get no answer; the next clients' SYNs
     * are dropped, so their connects time out, retransmissions included. Once the acceptor runs again every
     * queued client is served and new ones get in.
     */
    @Test
    void aFullAcceptQueueDropsNewConnectionsUntilTheAcceptorCatchesUp() throws Exception {
        ServerChannel listener = listener();
        assertThat(listener.config().getOption(ChannelOption.SO_BACKLOG)).isEqualTo(BACKLOG);
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", clients.port());

        CountDownLatch stalled = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        listener.eventLoop().execute(() -> {
            stalled.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(stalled.await(5, TimeUnit.SECONDS)).isTrue();

        List<Socket> queued = new ArrayList<>();
        try {
            int timedOut = 0;
            for (int i = 0; i < BACKLOG + 3; i++) {
                Socket socket = new Socket();
                try {
                    socket.connect(address, 500);
                    queued.add(socket);
                } catch (SocketTimeoutException e) {
                    timedOut++;
                    socket.close();
                }
            }
            assertThat(queued).as("connections the kernel queued for accept()").hasSize(BACKLOG + 1);
            assertThat(timedOut).as("connects that timed out: SYN dropped").isEqualTo(2);

            Socket first = queued.getFirst();
            first.getOutputStream().write(REQUEST.getBytes(StandardCharsets.US_ASCII));
            first.setSoTimeout(300);
            assertThatThrownBy(() -> first.getInputStream().read())
                    .as("a queued connection is not served before accept()")
                    .isInstanceOf(SocketTimeoutException.class);

            try (Socket patient = new Socket()) {
                assertThatThrownBy(() -> patient.connect(address, 1_500))
                        .as("the SYN retransmitted after a second is dropped too while the queue is full")
                        .isInstanceOf(SocketTimeoutException.class);
            }
        } finally {
            release.countDown();
        }

        for (Socket socket : queued) {
            try (socket) {
                socket.setSoTimeout(10_000);
                if (socket != queued.getFirst()) {
                    socket.getOutputStream().write(REQUEST.getBytes(StandardCharsets.US_ASCII));
                }
                assertThat(statusLine(socket.getInputStream())).isEqualTo("HTTP/1.1 200 OK");
            }
        }
        try (Socket late = new Socket()) {
            late.connect(address, 2_000);
            assertThat(late.isConnected())
                    .as("once the acceptor runs, new clients get in")
                    .isTrue();
        }
    }

    @Test
    void acceptedConnectionsRunOnTheConfiguredLoopsWithTheConfiguredOptions() {
        clients.get(clients.http("/.well-known/jwks.json"), null);

        assertThat(Connections.threads(listener().eventLoop().parent()))
                .as("acceptor threads")
                .isEqualTo(1);
        assertThat(connections.accepted().latest())
                .containsEntry("eventLoopGroupThreads", 2)
                .containsEntry("tcpNoDelay", false)
                .containsEntry("soKeepAlive", true);
    }

    @Test
    void theServerClosesAConnectionAfterMaxKeepAliveRequests() {
        long before = connections.accepted().opened();

        for (int i = 0; i < 3; i++) {
            var response = clients.get(clients.http("/.well-known/jwks.json"), null);
            assertThat(response.statusCode()).isEqualTo(200);
        }

        assertThat(connections.accepted().opened() - before)
                .as("one connection per request")
                .isEqualTo(3);
    }

    @Test
    void upstreamConnectionsCarryTheConfiguredOptionsAndAreNotReused() {
        String token = clients.token(uniqueUser("upstream"));
        long before = connections.upstream().opened();

        for (int i = 0; i < 4; i++) {
            var response = clients.get(clients.http("/api/orders/echo"), token);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(TestClients.json(response.body()).path("connection").asString())
                    .isEqualTo("close");
        }

        assertThat(connections.upstream().opened() - before)
                .as("without keep-alive every request opens its own upstream connection")
                .isEqualTo(4);
        assertThat(connections.upstream().latest())
                .containsEntry("tcpNoDelay", false)
                .containsEntry("soKeepAlive", true);
    }

    @Test
    void theTlsListenerHasTheSameBacklogLoopsAndSocketOptions() {
        ServerChannel tls = listener(clients.tlsPort());
        assertThat(tls.config().getOption(ChannelOption.SO_BACKLOG)).isEqualTo(BACKLOG);
        assertThat(Connections.threads(tls.eventLoop().parent()))
                .as("acceptor threads")
                .isEqualTo(1);

        assertThat(clients.get(clients.https("/.well-known/jwks.json"), null).statusCode())
                .isEqualTo(200);

        assertThat(connections.accepted().latest())
                .containsEntry("localPort", clients.tlsPort())
                .containsEntry("eventLoopGroupThreads", 2)
                .containsEntry("tcpNoDelay", false)
                .containsEntry("soKeepAlive", true);
    }

    @Test
    void theTlsListenerClosesAConnectionAfterMaxKeepAliveRequests() {
        long before = connections.accepted().opened();

        for (int i = 0; i < 3; i++) {
            var response = clients.get(clients.https("/.well-known/jwks.json"), null);
            assertThat(response.statusCode()).isEqualTo(200);
        }

        assertThat(connections.accepted().opened() - before)
                .as("one TLS connection per HTTP/1.1 request")
                .isEqualTo(3);
    }

    /**
     * QUIC has no accept: one UDP socket on one event loop carries every connection. It must be a worker
     * loop (2 here), not the acceptor (1) nor Reactor Netty's global loops (max(cores, 4)).
     */
    @Test
    void theHttp3ListenerRunsOnAWorkerLoop() {
        List<DatagramChannel> udp = connections.datagramListeners();
        assertThat(udp).hasSize(1);
        assertThat(((InetSocketAddress) udp.getFirst().localAddress()).getPort())
                .isEqualTo(clients.http3Port());
        assertThat(Connections.threads(udp.getFirst().eventLoop().parent()))
                .as("threads of the HTTP/3 socket's event loop group")
                .isEqualTo(2);

        Integer status = clients.http3Client()
                .get()
                .uri("https://127.0.0.1:" + clients.http3Port() + "/.well-known/jwks.json")
                .responseSingle(
                        (head, body) -> body.asString().thenReturn(head.status().code()))
                .block(Duration.ofSeconds(15));
        assertThat(status).isEqualTo(200);
    }

    private ServerChannel listener() {
        return listener(clients.port());
    }

    private ServerChannel listener(int port) {
        return connections.listeners().stream()
                .filter(channel -> ((InetSocketAddress) channel.localAddress()).getPort() == port)
                .findFirst()
                .orElseThrow();
    }

    private static String statusLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int next;
        while ((next = in.read()) >= 0 && next != '\r') {
            line.append((char) next);
        }
        return line.toString();
    }
}
