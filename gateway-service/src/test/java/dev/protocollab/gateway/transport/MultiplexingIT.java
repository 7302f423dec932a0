package dev.protocollab.gateway.transport;

import static dev.protocollab.gateway.TestClients.uniqueUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.protocollab.gateway.Backends;
import dev.protocollab.gateway.IntegrationTest;
import dev.protocollab.gateway.TestClients;
import io.netty.channel.Channel;
import io.netty.channel.ChannelId;
import io.netty.channel.ChannelOption;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * Multiplexing and demultiplexing at the edge, with the gateway's default transport settings: many HTTP/2
 * streams on one client connection leave the gateway on several HTTP/1.1 upstream connections, and the
 * Reactor Netty gauges in {@code /actuator/prometheus} show both sides.
 */
@IntegrationTest
class MultiplexingIT {

    private static final int STREAMS = 8;

    @Autowired
    TestClients clients;

    @Autowired
    Connections connections;

    private final Backends backends = Backends.get();

    @Test
    void defaultsLeaveTheSocketsAsTheyWere() throws Exception {
        clients.get(clients.http("/api/orders/echo"), clients.token(uniqueUser("defaults")));

        ServerChannel listener = listener();
        int somaxconn = Integer.parseInt(
                // readString stops short on procfs files, which report a size of 0
                Files.readAllLines(Path.of("/proc/sys/net/core/somaxconn"))
                        .getFirst()
                        .trim());
        assertThat(listener.config().getOption(ChannelOption.SO_BACKLOG)).isEqualTo(somaxconn);
        assertThat(connections.accepted().latest())
                .containsEntry("tcpNoDelay", true)
                .containsEntry("soKeepAlive", false);
        assertThat(connections.upstream().latest())
                .containsEntry("tcpNoDelay", true)
                .containsEntry("soKeepAlive", false);
    }

    @Test
    void oneHttp2ConnectionFansOutToSeveralUpstreamConnections() {
        String token = clients.token(uniqueUser("mux"));
        Set<ChannelId> downstream = ConcurrentHashMap.newKeySet();
        List<String> greetings = new CopyOnWriteArrayList<>();
        List<String> events = new CopyOnWriteArrayList<>();
        ConnectionProvider one = ConnectionProvider.create("one-connection", 1);
        HttpClient h2c = HttpClient.create(one)
                .protocol(HttpProtocol.H2C)
                .headers(headers -> headers.set("Authorization", "Bearer " + token))
                .doOnRequest((request, connection) ->
                        downstream.add(socket(connection.channel()).id()));
        int upstreamBefore = connections.upstream().open();
        Disposable.Composite streams = Disposables.composite();
        try {
            IntStream.range(0, STREAMS)
                    .forEach(i -> streams.add(h2c.get()
                            .uri(clients.http("/api/notifications/stream").toString())
                            .responseContent()
                            .asString()
                            .subscribe(chunk -> (chunk.contains("connected to") ? greetings : events).add(chunk))));

            await().atMost(Duration.ofSeconds(15)).until(() -> greetings.size() == STREAMS);
            assertThat(downstream).as("TCP connections from the client").hasSize(1);
            assertThat(connections.upstream().open() - upstreamBefore)
                    .as("upstream connections held open by the streams")
                    .isGreaterThanOrEqualTo(STREAMS);
            assertThat(String.join("", greetings))
                    .as("both instances serve streams of the one client connection")
                    .contains("notifications-a", "notifications-b");

            Map<String, Double> meters = prometheus();
            assertThat(meters.getOrDefault("reactor_netty_http_server_streams_active", 0.0))
                    .isGreaterThanOrEqualTo(STREAMS);
            assertThat(meters.getOrDefault("reactor_netty_connection_provider_active_connections", 0.0))
                    .isGreaterThanOrEqualTo(STREAMS);

            backends.emitNotification("{\"seq\":1}");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> events.stream()
                                    .filter(event -> event.contains("\"seq\":1"))
                                    .count()
                            == STREAMS);
        } finally {
            streams.dispose();
            one.disposeLater().block(Duration.ofSeconds(5));
        }
    }

    private ServerChannel listener() {
        return connections.listeners().stream()
                .filter(channel -> ((InetSocketAddress) channel.localAddress()).getPort() == clients.port())
                .findFirst()
                .orElseThrow();
    }

    private static Channel socket(Channel channel) {
        Channel socket = channel;
        while (!(socket instanceof SocketChannel) && socket.parent() != null) {
            socket = socket.parent();
        }
        return socket;
    }

    /** The management endpoint's gauges, summed per meter name over all tag values. */
    private Map<String, Double> prometheus() {
        HttpResponse<String> response = clients.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + clients.managementPort() + "/actuator/prometheus"))
                .timeout(Duration.ofSeconds(10))
                .GET()
                .build());
        assertThat(response.statusCode()).isEqualTo(200);
        Map<String, Double> sums = new ConcurrentHashMap<>();
        response.body()
                .lines()
                .filter(line -> !line.startsWith("#") && !line.isBlank())
                .forEach(line -> {
                    int tags = line.indexOf('{');
                    int space = line.lastIndexOf(' ');
                    String name = line.substring(0, tags >= 0 ? tags : line.indexOf(' '));
                    sums.merge(name, Double.parseDouble(line.substring(space + 1)), Double::sum);
                });
        return sums;
    }
}
