package dev.protocollab.stream.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.protocollab.stream.IntegrationTest;
import dev.protocollab.stream.TestClients;
import dev.protocollab.stream.broadcast.Broadcaster;
import dev.protocollab.stream.broadcast.Mailbox;
import dev.protocollab.stream.broadcast.Topic;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A WebSocket client that keeps sending requests and never reads the replies is disconnected once it has
 * {@code stream.subscribers.control-buffer-size} replies unread beyond what the socket holds: the server
 * does not buffer replies for it without bound. The close frame says 1008 (policy violation), though a
 * client that does not read may never see it. The client is a raw socket, because every WebSocket
 * library reads.
 */
@IntegrationTest
class NotReadingIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final byte[] PING = maskedText("{\"type\":\"ping\"}");

    @Autowired
    TestClients clients;

    @Autowired
    MeterRegistry registry;

    @Autowired
    Broadcaster broadcaster;

    @Test
    void aClientThatSendsButNeverReadsIsClosedWith1008() throws Exception {
        double closesBefore = policyCloses();
        Set<Mailbox<?>> before = new HashSet<>(broadcaster.subscribers(Topic.ORDERS));
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4096);
            socket.setSoTimeout((int) WAIT.toMillis());
            socket.connect(new InetSocketAddress("127.0.0.1", clients.port()), 5_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /ws/stream?access_token=" + clients.token() + " HTTP/1.1\r\n"
                            + "Host: 127.0.0.1:" + clients.port() + "\r\n"
                            + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                            + "Origin: " + TestClients.GATEWAY_ORIGIN + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            assertThat(responseHead(in)).startsWith("HTTP/1.1 101");

            out.write(maskedText("{\"type\":\"subscribe\",\"topics\":[\"orders\"]}"));
            out.flush();
            assertThat(in.readUnsignedByte() & 0x0f).isEqualTo(0x1);
            assertThat(new String(payload(in), StandardCharsets.UTF_8)).startsWith("{\"type\":\"subscribed\"");
            Mailbox<?> session = newWebSocketSubscriber(before);

            // Pings in batches, reading nothing, until the server gives up on this client.
            byte[] batch = new byte[PING.length * 5_000];
            for (int i = 0; i < 5_000; i++) {
                System.arraycopy(PING, 0, batch, i * PING.length, PING.length);
            }
            int batches = 0;
            try {
                while (policyCloses() == closesBefore) {
                    assertThat(batches++)
                            .as("the server gives up before 2M unread pongs")
                            .isLessThan(400);
                    out.write(batch);
                    out.flush();
                }
            } catch (SocketException e) {
                // the server closed the connection while we were still sending: that is the point
            }

            await().atMost(WAIT).until(() -> policyCloses() == closesBefore + 1);
            await().atMost(WAIT)
                    .alias("its subscription and mailbox are released")
                    .until(() -> !broadcaster.subscribers(Topic.ORDERS).contains(session));
            assertThat(session.isClosed()).isTrue();
            // What the client finds when it reads at last: the pongs its socket held, then the end of the
            // connection (a close frame with 1008 only if it got through before the server hung up).
            try {
                while (true) {
                    int opcode = in.readUnsignedByte() & 0x0f;
                    byte[] payload = payload(in);
                    if (opcode == 0x8) {
                        assertThat(((payload[0] & 0xff) << 8) | (payload[1] & 0xff))
                                .isEqualTo(1008);
                    }
                }
            } catch (EOFException | SocketException e) {
                // disconnected
            }
        }
    }

    private Mailbox<?> newWebSocketSubscriber(Set<Mailbox<?>> before) {
        List<Mailbox<?>> added = new ArrayList<>();
        await().atMost(WAIT).until(() -> {
            added.clear();
            added.addAll(broadcaster.subscribers(Topic.ORDERS));
            added.removeAll(before);
            return added.size() == 1;
        });
        return added.getFirst();
    }

    private double policyCloses() {
        Counter counter = registry.find("stream.websocket.protocol.closes")
                .tag("code", "1008")
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private static String responseHead(DataInputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            head.write(in.readUnsignedByte());
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    /** An unmasked server frame's payload (RFC 6455 §5.2), after its first byte was read. */
    private static byte[] payload(DataInputStream in) throws IOException {
        long length = in.readUnsignedByte() & 0x7f;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] payload = new byte[Math.toIntExact(length)];
        in.readFully(payload);
        return payload;
    }

    /** A client text frame: FIN, opcode 1, masked as RFC 6455 requires of clients. */
    private static byte[] maskedText(String text) {
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        byte[] mask = {0x12, 0x34, 0x56, 0x78};
        byte[] frame = new byte[2 + 4 + data.length];
        frame[0] = (byte) 0x81;
        frame[1] = (byte) (0x80 | data.length);
        System.arraycopy(mask, 0, frame, 2, 4);
        for (int i = 0; i < data.length; i++) {
            frame[6 + i] = (byte) (data[i] ^ mask[i % 4]);
        }
        return frame;
    }
}
