package dev.protocollab.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.protocollab.gateway.IntegrationTest;
import dev.protocollab.gateway.TestClients;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import reactor.netty.http.client.HttpClient;

/**
 * Round trips before the first response byte, counted through a relay that adds a fixed round-trip time
 * ({@link LatencyRelay}): fresh TLS 1.2, fresh and resumed TLS 1.3 on the TLS port, and QUIC on the UDP
 * port. TCP's own handshake (one more round trip for every TLS row) is answered by the relay's kernel and
 * not counted. The table goes to target/handshake-round-trips.md and into docs/patterns.md.
 */
@IntegrationTest
class HandshakeRoundTripsIT {

    private static final Duration RTT = Duration.ofMillis(300);
    private static final int TRIES = 3;
    private static final String REQUEST =
            "GET /.well-known/jwks.json HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    private static final List<String> rows = new ArrayList<>();

    @Autowired
    TestClients clients;

    @AfterAll
    static void writeTable() throws IOException {
        List<String> table = new ArrayList<>();
        table.add("| connection | handshake round trips | to first response byte | server bytes in handshake |");
        table.add("| --- | --- | --- | --- |");
        table.addAll(rows);
        Files.createDirectories(Path.of("target"));
        Files.write(Path.of("target/handshake-round-trips.md"), table);
        table.forEach(System.out::println);
    }

    @Test
    void tls12NeedsTwoRoundTripsAndTls13One() throws Exception {
        SSLContext context = TestClients.sslContext(clients.ca());
        warmUp(context);
        try (LatencyRelay relay = LatencyRelay.tcp(clients.tlsPort(), RTT)) {
            Exchange tls12 = fastest(() -> exchange(TestClients.sslContext(clients.ca()), "TLSv1.2", relay));
            Exchange tls13 = fastest(() -> exchange(TestClients.sslContext(clients.ca()), "TLSv1.3", relay));
            record("TLS 1.2, fresh (+1 for TCP)", tls12);
            record("TLS 1.3, fresh (+1 for TCP)", tls13);

            assertThat(tls12.handshakeRoundTrips()).isEqualTo(2);
            assertThat(tls13.handshakeRoundTrips()).isEqualTo(1);
            assertThat(tls12.totalRoundTrips()).isEqualTo(3);
            assertThat(tls13.totalRoundTrips()).isEqualTo(2);
        }
    }

    @Test
    void resumedTls13StillTakesOneRoundTripButSkipsTheCertificate() throws Exception {
        SSLContext context = TestClients.sslContext(clients.ca());
        warmUp(context);
        try (LatencyRelay relay = LatencyRelay.tcp(clients.tlsPort(), RTT)) {
            Exchange fresh = exchange(context, "TLSv1.3", relay);
            Exchange resumed = fastest(() -> exchange(context, "TLSv1.3", relay));
            record("TLS 1.3, resumed (PSK ticket; +1 for TCP)", resumed);

            assertThat(resumed.handshakeRoundTrips()).isEqualTo(1);
            assertThat(resumed.serverHandshakeBytes())
                    .as("no certificate chain in a resumed handshake")
                    .isLessThan(fresh.serverHandshakeBytes() / 2);
        }
    }

    /**
     * QUIC puts the transport and TLS 1.3 handshakes into one exchange: the client's Finished leaves one
     * round trip after its first Initial. Reactor Netty's HTTP/3 client then waits for the server's first
     * 1-RTT packet (HANDSHAKE_DONE, the HTTP/3 SETTINGS) before it sends the request, one more round trip
     * that HTTP/3 does not require (RFC 9114 §6.2.1 lets a client send at once), so its first response
     * comes after 3 round trips; a client that sends with its Finished gets it after 2.
     */
    @Test
    void quicHandshakesTransportAndTlsInOneRoundTrip() throws Exception {
        // native QUIC and the HTTP/3 codec loaded once before anything is timed
        get(clients.http3Client(), clients.http3Port());
        QuicTrial quic = fastestQuic();
        rows.add("| QUIC (HTTP/3), fresh: transport and TLS 1.3 together | " + rounds(quic.handshake()) + " ("
                + quic.handshake().toMillis() + " ms) | " + rounds(quic.total()) + " RTT ("
                + quic.total().toMillis()
                + " ms at " + RTT.toMillis() + " ms RTT; the client's first request left after "
                + rounds(quic.request()) + ") | " + quic.serverHandshakeBytes() + " |");
        assertThat(quic.firstServerPacket())
                .as("no Retry: the server does not validate the address first")
                .isEqualTo("Initial");
        assertThat(rounds(quic.handshake())).as("the client's Finished").isEqualTo(1);
        assertThat(rounds(quic.request()))
                .as("Reactor Netty's client waits for HANDSHAKE_DONE")
                .isEqualTo(2);
        assertThat(rounds(quic.total())).isEqualTo(3);
    }

    /** Three fresh QUIC connections, each through a relay of its own; the fastest of each measure. */
    private QuicTrial fastestQuic() throws Exception {
        List<QuicTrial> trials = new ArrayList<>();
        for (int i = 0; i < TRIES; i++) {
            try (LatencyRelay relay = LatencyRelay.udp(clients.http3Port(), RTT)) {
                long start = System.nanoTime();
                // a connection of its own: the client's pool has none to this relay's address yet
                String body = get(clients.http3Client(), relay.port());
                Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
                assertThat(body).contains("\"keys\"");

                List<LatencyRelay.Packet> sent = relay.clientPackets();
                assertThat(sent.getFirst().type()).isEqualTo("Initial");
                long initial = sent.getFirst().nanos();
                // the client's second datagram answers the server's first flight: it carries the client's
                // Finished (alone, or coalesced behind an Initial ACK)
                Duration handshake = Duration.ofNanos(sent.get(1).nanos() - initial);
                Duration request = Duration.ofNanos(sent.stream()
                                .filter(packet -> packet.type().equals("1-RTT"))
                                .findFirst()
                                .orElseThrow()
                                .nanos()
                        - initial);
                int handshakeBytes = relay.serverPackets().stream()
                        .filter(packet -> !packet.type().equals("1-RTT"))
                        .mapToInt(LatencyRelay.Packet::bytes)
                        .sum();
                trials.add(new QuicTrial(
                        handshake,
                        request,
                        elapsed,
                        handshakeBytes,
                        relay.serverPackets().getFirst().type()));
            }
        }
        return new QuicTrial(
                trials.stream()
                        .map(QuicTrial::handshake)
                        .min(Duration::compareTo)
                        .orElseThrow(),
                trials.stream().map(QuicTrial::request).min(Duration::compareTo).orElseThrow(),
                trials.stream().map(QuicTrial::total).min(Duration::compareTo).orElseThrow(),
                trials.getFirst().serverHandshakeBytes(),
                trials.getFirst().firstServerPacket());
    }

    private record QuicTrial(
            Duration handshake, Duration request, Duration total, int serverHandshakeBytes, String firstServerPacket) {}

    private static String get(HttpClient client, int port) {
        return client.get()
                .uri("https://127.0.0.1:" + port + "/.well-known/jwks.json")
                .responseSingle((response, content) -> content.asString())
                .block(Duration.ofSeconds(15));
    }

    /**
     * The fastest of a few tries: on a loaded machine a thread may stall for longer than a round trip, which
     * only ever adds time, so the minimum is the protocol's own count.
     */
    private static Exchange fastest(Callable<Exchange> exchange) throws Exception {
        List<Exchange> tries = new ArrayList<>();
        for (int i = 0; i < TRIES; i++) {
            tries.add(exchange.call());
        }
        Exchange quickest = tries.stream()
                .min((a, b) -> a.handshake().compareTo(b.handshake()))
                .orElseThrow();
        Duration total =
                tries.stream().map(Exchange::total).min(Duration::compareTo).orElseThrow();
        return new Exchange(quickest.handshake(), total, quickest.serverHandshakeBytes());
    }

    private void warmUp(SSLContext context) throws Exception {
        // class loading and JIT of the first handshakes in this JVM, on both sides, are not round trips
        for (String protocol : List.of("TLSv1.2", "TLSv1.3", "TLSv1.2", "TLSv1.3")) {
            try (SSLSocket socket =
                    (SSLSocket) context.getSocketFactory().createSocket("localhost", clients.tlsPort())) {
                socket.setSoTimeout(10_000);
                socket.setEnabledProtocols(new String[] {protocol});
                socket.startHandshake();
                socket.getOutputStream().write(REQUEST.getBytes(StandardCharsets.US_ASCII));
                firstByte(socket.getInputStream());
            }
        }
    }

    private Exchange exchange(SSLContext context, String protocol, LatencyRelay relay) throws Exception {
        long bytesBefore = relay.serverBytes();
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("localhost", relay.port())) {
            socket.setSoTimeout(10_000);
            socket.setEnabledProtocols(new String[] {protocol});
            long start = System.nanoTime();
            socket.startHandshake();
            long handshake = System.nanoTime() - start;
            long handshakeBytes = relay.serverBytes() - bytesBefore;
            socket.getOutputStream().write(REQUEST.getBytes(StandardCharsets.US_ASCII));
            firstByte(socket.getInputStream());
            long total = System.nanoTime() - start;
            assertThat(socket.getSession().getProtocol()).isEqualTo(protocol);
            return new Exchange(Duration.ofNanos(handshake), Duration.ofNanos(total), handshakeBytes);
        }
    }

    private static void firstByte(InputStream in) throws IOException {
        assertThat(in.read()).as("a response").isEqualTo('H');
    }

    private static void record(String name, Exchange exchange) {
        rows.add("| " + name + " | " + exchange.handshakeRoundTrips() + " ("
                + exchange.handshake().toMillis()
                + " ms) | " + exchange.totalRoundTrips() + " RTT ("
                + exchange.total().toMillis() + " ms at "
                + RTT.toMillis() + " ms RTT) | " + exchange.serverHandshakeBytes() + " |");
    }

    /** Whole round trips in the elapsed time: processing on loopback adds far less than one RTT. */
    private static long rounds(Duration elapsed) {
        return elapsed.toNanos() / RTT.toNanos();
    }

    private record Exchange(Duration handshake, Duration total, long serverHandshakeBytes) {

        long handshakeRoundTrips() {
            return rounds(handshake);
        }

        long totalRoundTrips() {
            return rounds(total);
        }
    }
}
