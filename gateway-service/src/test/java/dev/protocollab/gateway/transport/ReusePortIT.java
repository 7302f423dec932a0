package dev.protocollab.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.protocollab.gateway.IntegrationTest;
import dev.protocollab.gateway.TestClients;
import io.netty.channel.ServerChannel;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/** {@code SO_REUSEPORT} multi-acceptor mode: two listening sockets per TCP port, each accepting. */
@IntegrationTest
@TestPropertySource(
        properties = {
            "gateway.transport.server.reuse-port-acceptors=2",
        })
class ReusePortIT {

    @Autowired
    TestClients clients;

    @Autowired
    Connections connections;

    @Test
    void theKernelSpreadsConnectionsOverBothListeningSockets() throws IOException {
        List<ServerChannel> listeners = connections.listeners().stream()
                .filter(channel -> ((InetSocketAddress) channel.localAddress()).getPort() == clients.port())
                .toList();
        assertThat(listeners).hasSize(2);
        assertThat(listeners.get(0).eventLoop())
                .as("each socket has its own acceptor thread")
                .isNotSameAs(listeners.get(1).eventLoop());

        for (int i = 0; i < 40; i++) {
            assertThat(getOnNewConnection("/.well-known/jwks.json", null)).isEqualTo("HTTP/1.1 200 OK");
        }

        assertThat(connections.accepted().perListener().entrySet())
                .filteredOn(entry -> entry.getKey().contains(":" + clients.port() + " "))
                .as("connections accepted per listening socket")
                .hasSize(2)
                .allSatisfy(entry -> assertThat(entry.getValue()).isPositive());
    }

    @Test
    void theTlsPortGetsTwoListeningSocketsToo() throws Exception {
        assertThat(connections.listeners().stream()
                        .filter(channel -> ((InetSocketAddress) channel.localAddress()).getPort() == clients.tlsPort())
                        .map(ServerChannel::eventLoop)
                        .distinct())
                .as("TLS listening sockets, each with its own acceptor thread")
                .hasSize(2);

        SSLContext tls = TestClients.sslContext(clients.ca());
        for (int i = 0; i < 40; i++) {
            try (Socket socket = tls.getSocketFactory().createSocket("localhost", clients.tlsPort())) {
                socket.setSoTimeout(10_000);
                assertThat(get(socket, "/.well-known/jwks.json", null)).isEqualTo("HTTP/1.1 200 OK");
            }
        }

        assertThat(connections.accepted().perListener().entrySet())
                .filteredOn(entry -> entry.getKey().contains(":" + clients.tlsPort() + " "))
                .as("TLS connections accepted per listening socket")
                .hasSize(2)
                .allSatisfy(entry -> assertThat(entry.getValue()).isPositive());
    }

    @Test
    void bothSocketsServeTheSameRoutes() throws IOException {
        String token = clients.token(TestClients.uniqueUser("reuse"));
        for (int i = 0; i < 6; i++) {
            assertThat(getOnNewConnection("/api/orders/echo", token)).isEqualTo("HTTP/1.1 200 OK");
        }
    }

    /** One request on a connection of its own: a new source port each time, so a new hash. */
    private String getOnNewConnection(String path, String token) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", clients.port()), 5_000);
            socket.setSoTimeout(10_000);
            return get(socket, path, token);
        }
    }

    /** The status line of one GET on {@code socket}, which it asks the server to close. */
    private static String get(Socket socket, String path, String token) throws IOException {
        String request = "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n") + "\r\n";
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        InputStream in = socket.getInputStream();
        StringBuilder line = new StringBuilder();
        int next;
        while ((next = in.read()) >= 0 && next != '\r') {
            line.append((char) next);
        }
        return line.toString();
    }
}
