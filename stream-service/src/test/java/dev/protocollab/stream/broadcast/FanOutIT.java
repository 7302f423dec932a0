package dev.protocollab.stream.broadcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.protocollab.stream.IntegrationTest;
import dev.protocollab.stream.TestClients;
import dev.protocollab.stream.TestEvents;
import dev.protocollab.stream.events.OrderUpdate;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.databind.node.ObjectNode;

/**
 * The fan-out the service exists for, with the slow-consumer policy in the middle of it: 1,000 SSE and
 * 1,000 WebSocket subscribers of {@code orders}, one stalled SSE subscriber, and a burst of 100 order
 * events through RabbitMQ.
 *
 * <p>The stated bound (README): every one of the 2,000 reading subscribers receives all 100 events, in
 * the published order and without a gap, within {@link #DELIVERY_BOUND} of the burst being published,
 * on a 2-core machine that runs the service, the broker and all 2,000 clients at once. The stalled
 * subscriber is handled by the policy: its connection holds fewer than 1,000 events (the socket's fixed
 * send buffer and Reactor Netty's), its mailbox stays at its bound and each of the 100 events replaces its
 * oldest one; when it reads again it gets {@code gap} events adding up to the number it missed, then the
 * newest events.
 *
 * <p>The clients share four Reactor Netty connection pools and the JVM's event loops: no thread per
 * subscriber, on either side.
 */
@IntegrationTest
class FanOutIT {

    private static final Logger log = LoggerFactory.getLogger(FanOutIT.class);

    static final Duration DELIVERY_BOUND = Duration.ofSeconds(30);
    private static final int SSE_SUBSCRIBERS = 1_000;
    private static final int WS_SUBSCRIBERS = 1_000;
    private static final int BURST = 100;
    private static final int POOLS = 4;
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Pattern GAP = Pattern.compile("\"missed\":(\\d+),\"reason\":\"slow-consumer\"");

    @Autowired
    TestClients clients;

    @Autowired
    Broadcaster broadcaster;

    @Test
    void twoThousandSubscribersGetTheSameBurstInOrderWhileAStalledOneIsBoundedAndToldWhatItMissed() throws Exception {
        List<ObjectNode> burst = new ArrayList<>();
        for (int i = 0; i < BURST; i++) {
            burst.add(TestEvents.created(i + ".50", "EUR"));
        }
        List<String> ids =
                burst.stream().map(event -> event.get("id").asString()).toList();
        List<ConnectionProvider> pools = new ArrayList<>();
        List<HttpClient> http = new ArrayList<>();
        for (int i = 0; i < POOLS; i++) {
            ConnectionProvider pool = ConnectionProvider.builder("fan-out-" + i)
                    .maxConnections((SSE_SUBSCRIBERS + WS_SUBSCRIBERS) / POOLS + 1)
                    .pendingAcquireTimeout(WAIT)
                    .build();
            pools.add(pool);
            http.add(HttpClient.create(pool));
        }
        List<Receiver> receivers = new ArrayList<>();
        List<Disposable> connections = new ArrayList<>();
        CountDownLatch opened = new CountDownLatch(SSE_SUBSCRIBERS + WS_SUBSCRIBERS);
        CountDownLatch complete = new CountDownLatch(SSE_SUBSCRIBERS + WS_SUBSCRIBERS);

        Set<Mailbox<?>> before = new HashSet<>(broadcaster.subscribers(Topic.ORDERS));
        try (StalledSse stalled = new StalledSse(clients)) {
            Mailbox<?> stalledMailbox = newSubscriber(before);
            fillUntilDropping(stalledMailbox);
            long droppedBefore = stalledMailbox.dropped();

            for (int i = 0; i < SSE_SUBSCRIBERS + WS_SUBSCRIBERS; i++) {
                receivers.add(new Receiver(i < SSE_SUBSCRIBERS, ids, opened, complete));
            }
            String token = clients.token();
            connections.add(Flux.fromIterable(receivers)
                    .index()
                    .flatMap(
                            indexed -> connect(http.get((int) (indexed.getT1() % POOLS)), indexed.getT2(), token),
                            SSE_SUBSCRIBERS + WS_SUBSCRIBERS) // every stream stays open: all at once
                    .subscribe());
            boolean allOpen = opened.await(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(receivers.stream()
                            .map(r -> r.problem)
                            .filter(p -> p != null)
                            .limit(3))
                    .isEmpty();
            assertThat(allOpen)
                    .as("all subscribers connected and subscribed (%d missing)", opened.getCount())
                    .isTrue();
            assertThat(count(Transport.SSE)).isGreaterThanOrEqualTo(SSE_SUBSCRIBERS + 1);
            assertThat(count(Transport.WEBSOCKET)).isGreaterThanOrEqualTo(WS_SUBSCRIBERS);

            long start = System.nanoTime();
            clients.publishAll(burst);
            boolean allDone = complete.await(DELIVERY_BOUND.toMillis(), TimeUnit.MILLISECONDS);

            long[] millis = receivers.stream()
                    .mapToLong(r -> r.doneAt == 0 ? Long.MAX_VALUE : (r.doneAt - start) / 1_000_000)
                    .sorted()
                    .toArray();
            log.info(
                    "Fan-out of {} events to {} SSE + {} WebSocket subscribers: last event received after"
                            + " p50 {} ms, p99 {} ms, max {} ms",
                    BURST,
                    SSE_SUBSCRIBERS,
                    WS_SUBSCRIBERS,
                    millis[millis.length / 2],
                    millis[millis.length * 99 / 100],
                    millis[millis.length - 1]);
            for (Receiver receiver : receivers) {
                assertThat(receiver.problem).as(receiver.name()).isNull();
            }
            assertThat(allDone)
                    .as("every reading subscriber got all %d events within %s", BURST, DELIVERY_BOUND)
                    .isTrue();
            for (Receiver receiver : receivers) {
                assertThat(receiver.received).as(receiver.name()).isEqualTo(BURST);
            }

            assertThat(stalledMailbox.buffered()).isEqualTo(stalledMailbox.capacity());
            assertThat(stalledMailbox.dropped() - droppedBefore)
                    .as("each event of the burst replaced the stalled subscriber's oldest")
                    .isEqualTo(BURST);

            // Reading again, it gets what its socket held, then a gap event for what its mailbox dropped,
            // then the mailbox: the newest events, the whole burst among them. The gaps' counts add up to
            // every event dropped for it (a first gap went out while the socket still took events).
            long dropped = stalledMailbox.dropped();
            String seen = stalled.readUntil("id:" + ids.getLast());
            Matcher gaps = GAP.matcher(seen);
            long missed = 0;
            int lastGap = -1;
            while (gaps.find()) {
                missed += Long.parseLong(gaps.group(1));
                lastGap = gaps.start();
            }
            assertThat(lastGap).as("a slow-consumer gap event").isNotNegative();
            assertThat(missed).as("every dropped event counted in a gap").isEqualTo(dropped);
            int at = lastGap;
            for (String id : ids) {
                at = seen.indexOf("id:" + id, at);
                assertThat(at).as("burst event %s after the gap, in order", id).isPositive();
            }
        } finally {
            connections.forEach(Disposable::dispose);
            Flux.fromIterable(pools)
                    .flatMap(ConnectionProvider::disposeLater)
                    .then()
                    .block(Duration.ofSeconds(30));
        }
    }

    private Mono<Void> connect(HttpClient http, Receiver receiver, String token) {
        if (receiver.sse) {
            return http.headers(headers -> headers.set(HttpHeaders.AUTHORIZATION, "Bearer " + token)
                            .set(HttpHeaders.ACCEPT, "text/event-stream"))
                    .get()
                    .uri(clients.uri("/api/stream/orders"))
                    .responseContent()
                    .asString(StandardCharsets.UTF_8)
                    .doOnNext(receiver::sseChunk)
                    .doOnError(receiver::failed)
                    .onErrorComplete()
                    .then();
        }
        return http.headers(headers -> headers.set(HttpHeaders.ORIGIN, TestClients.GATEWAY_ORIGIN))
                .websocket()
                .uri("ws://127.0.0.1:" + clients.port() + "/ws/stream?access_token=" + token)
                .handle((in, out) -> out.sendString(Mono.just("{\"type\":\"subscribe\",\"topics\":[\"orders\"]}"))
                        .then()
                        .thenMany(in.receive().asString(StandardCharsets.UTF_8).doOnNext(receiver::wsFrame)))
                .doOnError(receiver::failed)
                .onErrorComplete()
                .then();
    }

    /**
     * Publishes in-process (only the stalled subscriber and no reader is there yet, so this costs little)
     * until the stalled subscriber's socket, Reactor Netty's buffers and finally its mailbox are full: the
     * event loop writes behind the publisher, so the mailbox first overflows while the socket still takes
     * some. Stalled means: three rounds in a row, a quarter second apart, in which every event published
     * replaced one in a full mailbox.
     */
    private void fillUntilDropping(Mailbox<?> stalled) {
        String run = UUID.randomUUID().toString();
        int[] published = {0};
        int[] stalledRounds = {0};
        await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> {
            long droppedBefore = stalled.dropped();
            for (int i = 0; i < 500; i++) {
                String id = run + "-" + published[0]++;
                broadcaster.publish(
                        Topic.ORDERS,
                        id,
                        new OrderUpdate(id, "order.created", id, "PENDING", null, 1, "1.00", "EUR", Instant.now(), 1));
            }
            boolean flat = stalled.dropped() - droppedBefore == 500 && stalled.buffered() == stalled.capacity();
            stalledRounds[0] = flat ? stalledRounds[0] + 1 : 0;
            return stalledRounds[0] == 3;
        });
        long absorbed = published[0] - stalled.dropped() - stalled.capacity();
        log.info(
                "Stalled SSE subscriber: {} events went into socket and transport buffers before its mailbox ({})"
                        + " stayed full",
                absorbed,
                stalled.capacity());
        assertThat(absorbed)
                .as("what the connection itself holds is bounded by stream.subscribers.socket-send-buffer")
                .isLessThan(1_000);
    }

    private Mailbox<?> newSubscriber(Set<Mailbox<?>> before) {
        List<Mailbox<?>> added = new ArrayList<>();
        await().atMost(WAIT).until(() -> {
            added.clear();
            added.addAll(broadcaster.subscribers(Topic.ORDERS));
            added.removeAll(before);
            return added.size() == 1;
        });
        return added.getFirst();
    }

    private long count(Transport transport) {
        return broadcaster.subscribers(Topic.ORDERS).stream()
                .filter(mailbox -> mailbox.transport() == transport)
                .count();
    }

    /**
     * One reading subscriber: checks each event id against the published order as it arrives, keeping
     * only a counter (2,000 of these must be cheap).
     */
    private static final class Receiver {

        final boolean sse;
        private final List<String> expected;
        private final CountDownLatch opened;
        private final CountDownLatch complete;
        private final StringBuilder partial = new StringBuilder();
        private boolean open;
        volatile int received;
        volatile long doneAt;
        volatile String problem;

        Receiver(boolean sse, List<String> expected, CountDownLatch opened, CountDownLatch complete) {
            this.sse = sse;
            this.expected = expected;
            this.opened = opened;
            this.complete = complete;
        }

        String name() {
            return (sse ? "SSE" : "WebSocket") + " subscriber " + System.identityHashCode(this);
        }

        /** SSE arrives in chunks that need not end at a line: split into lines, keep the rest. */
        void sseChunk(String chunk) {
            partial.append(chunk);
            int newline;
            while ((newline = partial.indexOf("\n")) >= 0) {
                String line = partial.substring(0, newline);
                partial.delete(0, newline + 1);
                if (line.startsWith(":stream orders")) {
                    opened();
                } else if (line.startsWith("id:")) {
                    event(line.substring(3));
                } else if (line.equals("event:gap")) {
                    problem("a gap");
                }
            }
        }

        void wsFrame(String frame) {
            if (frame.startsWith("{\"type\":\"subscribed\"")) {
                opened();
            } else if (frame.startsWith("{\"type\":\"event\"")) {
                int from = frame.indexOf("\"id\":\"") + 6;
                event(frame.substring(from, frame.indexOf('"', from)));
            } else if (frame.startsWith("{\"type\":\"gap\"")) {
                problem("a gap");
            }
        }

        private void opened() {
            if (!open) {
                open = true;
                opened.countDown();
            }
        }

        private void event(String id) {
            int n = received;
            if (n >= expected.size() || !expected.get(n).equals(id)) {
                problem("event " + id + " where " + (n < expected.size() ? expected.get(n) : "nothing") + " was due");
                return;
            }
            received = n + 1;
            if (n + 1 == expected.size()) {
                doneAt = System.nanoTime();
                complete.countDown();
            }
        }

        void failed(Throwable error) {
            problem("connection failed: " + error);
        }

        private void problem(String what) {
            if (problem == null) {
                problem = what;
            }
        }
    }

    /**
     * An SSE subscriber that sends its request and then reads nothing, with a small socket receive buffer:
     * what a client on a dead network path or a frozen tab looks like to the server.
     */
    private static final class StalledSse implements AutoCloseable {

        private final Socket socket = new Socket();

        StalledSse(TestClients clients) throws Exception {
            socket.setReceiveBufferSize(4096);
            socket.connect(new InetSocketAddress("127.0.0.1", clients.port()), 5_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /api/stream/orders HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                            + "Authorization: Bearer " + clients.token() + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        /** Reads from now on until {@code marker} has been seen; fails after the deadline. */
        String readUntil(String marker) throws Exception {
            socket.setSoTimeout(1_000);
            InputStream in = socket.getInputStream();
            StringBuilder seen = new StringBuilder();
            byte[] buffer = new byte[64 * 1024];
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (seen.indexOf(marker) < 0) {
                assertThat(System.nanoTime()).as("%s within %s", marker, WAIT).isLessThan(deadline);
                try {
                    int n = in.read(buffer);
                    assertThat(n).as("the stream is still open").isPositive();
                    seen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                } catch (SocketTimeoutException e) {
                    // nothing yet
                }
            }
            return seen.toString();
        }

        @Override
        public void close() throws Exception {
            socket.close();
        }
    }
}
