package dev.protocollab.e2e.patterns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.protocollab.e2e.suite.FullSuite;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Stateful endpoints across an instance restart, through the gateway only: SSE and WebSocket sessions on
 * notification-service, stream-service's SSE broadcast and a parked long poll on order-service are open when
 * the instances holding them are killed (SIGKILL) and started again. The clients do what the page's do:
 * reconnect with {@code Last-Event-ID} or {@code ?after=<seq>}, or poll again with the same {@code after}.
 * Every notification client ends with each of the user's notifications exactly once and in order; the long
 * poll ends at the order's final version; stream-service, whose ring died with it, says so with a {@code gap}
 * event and carries on with live events.
 */
class RestartResumeIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration RESTART = Duration.ofSeconds(180);
    private static final Pattern PARKED =
            Pattern.compile("^orders_changes_subscribers(?:\\{[^}]*})? ([0-9.E]+)$", Pattern.MULTILINE);

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final ScheduledExecutorService reconnects = Executors.newScheduledThreadPool(
            8, Thread.ofVirtual().name("resume-", 0).factory());

    @Test
    void clientsOfARestartedInstanceResumeWithoutLosingNotifications() throws Exception {
        FullSuite suite = FullSuite.shared();
        String user = "resume-" + UUID.randomUUID().toString().substring(0, 8);
        String token = suite.token(user);
        URI gateway = suite.gateway().httpUri();
        List<Sse> notificationStreams = new ArrayList<>();
        List<Ws> notificationSockets = new ArrayList<>();
        // three of each: the gateway spreads sessions over both notification-service instances
        for (int i = 0; i < 3; i++) {
            notificationStreams.add(new Sse(gateway.resolve("/api/notifications/stream"), token, "0"));
            notificationSockets.add(new Ws(gateway, token));
        }
        Sse broadcast = new Sse(gateway.resolve("/api/stream/orders"), token, null);
        List<Client> notificationClients = Stream.<Client>concat(
                        notificationStreams.stream(), notificationSockets.stream())
                .toList();
        List<Client> clients = Stream.<Client>concat(notificationClients.stream(), Stream.of(broadcast))
                .toList();
        try {
            clients.forEach(Client::open);
            await("every session open")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> clients.stream().allMatch(Client::connected));

            String first = create(gateway, token);
            await("the broadcast saw the first order, so it has an event id to resume from")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> broadcast.data().stream().anyMatch(data -> data.contains(first)));
            LongPoller poller = new LongPoller(gateway, token, first);
            reconnects.execute(poller::poll);
            FullSuite.Instance parked = await("a long poll parked on an order-service instance")
                    .atMost(Duration.ofSeconds(10))
                    .until(
                            () -> suite.orderServices().stream()
                                    .filter(instance -> parkedPolls(instance) > 0)
                                    .findFirst()
                                    .orElse(null),
                            instance -> instance != null);
            List<FullSuite.Instance> restarted =
                    List.of(parked, suite.notificationServices().getFirst(), suite.streamService());
            restarted.forEach(instance -> instance.process().kill());
            try {
                await("the long poll follows the order to DELIVERED")
                        .atMost(Duration.ofSeconds(60))
                        .until(() -> poller.versions().contains(4L));
            } finally {
                restarted.forEach(instance -> instance.process().start());
                restarted.forEach(instance -> instance.process().awaitReady(RESTART));
            }

            await("the broadcast client is back on the restarted stream-service")
                    .atMost(Duration.ofSeconds(60))
                    .until(broadcast::connected);
            String second = create(gateway, token);
            List<Long> everything = LongStream.rangeClosed(1, 8).boxed().toList();
            await("every notification client has all eight notifications")
                    .atMost(Duration.ofSeconds(90))
                    .until(() -> notificationClients.stream()
                            .allMatch(client -> client.seqs().size() >= everything.size()));
            await("the broadcast carries the order placed after the restart")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> broadcast.data().stream().anyMatch(data -> data.contains(second)));

            for (Sse stream : notificationStreams) {
                assertThat(stream.seqs()).as("SSE with Last-Event-ID").isEqualTo(everything);
            }
            for (Ws socket : notificationSockets) {
                assertThat(socket.seqs()).as("WebSocket with ?after=").isEqualTo(everything);
            }
            assertThat(notificationClients.stream().mapToInt(Client::reconnects).sum())
                    .as("notification sessions that were on the killed instance and reconnected")
                    .isPositive();
            assertThat(poller.versions()).as("long poll versions").isSorted().endsWith(4L);
            assertThat(broadcast.reconnects()).as("broadcast reconnects").isPositive();
            assertThat(broadcast.events())
                    .as("stream-service lost its ring with the process and says so")
                    .contains("gap");
        } finally {
            clients.forEach(Client::close);
            reconnects.shutdownNow();
        }
    }

    /** {@code POST /api/orders} with an Idempotency-Key, repeated while an instance is down: one order. */
    private String create(URI gateway, String token) {
        String key = UUID.randomUUID().toString();
        return await("order created")
                .atMost(Duration.ofSeconds(60))
                .ignoreExceptionsInstanceOf(IOException.class)
                .until(
                        () -> {
                            HttpResponse<String> response = http.send(
                                    HttpRequest.newBuilder(gateway.resolve("/api/orders"))
                                            .timeout(Duration.ofSeconds(10))
                                            .header("Authorization", "Bearer " + token)
                                            .header("Idempotency-Key", key)
                                            .header("Content-Type", "application/json")
                                            .POST(
                                                    HttpRequest.BodyPublishers.ofString(
                                                            "{\"items\":[{\"sku\":\"BOOK-42\",\"quantity\":1,\"unitPrice\":\"9.50\"}],\"currency\":\"EUR\"}"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());
                            return response.statusCode() == 201 || response.statusCode() == 200
                                    ? JSON.readTree(response.body()).path("id").asString()
                                    : null;
                        },
                        id -> id != null);
    }

    private long parkedPolls(FullSuite.Instance instance) {
        try {
            String metrics = instance.prometheus();
            Matcher matcher = PARKED.matcher(metrics);
            return matcher.find() ? (long) Double.parseDouble(matcher.group(1)) : 0;
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /**
     * A push client that resumes from where it was after losing its session, as EventSource and the page's
     * WebSocket code do: a quarter of a second later, up to two seconds while the instance stays away.
     */
    private abstract class Client {

        private final AtomicInteger resumes = new AtomicInteger();
        private final AtomicInteger failedInARow = new AtomicInteger();
        private final List<Long> seqs = new ArrayList<>();
        volatile boolean connected;
        volatile boolean closed;

        /** Connects and reads; {@code lost} ends this session (it may be called more than once). */
        abstract void connect(Runnable lost) throws Exception;

        abstract void disconnect();

        final void open() {
            AtomicBoolean ended = new AtomicBoolean();
            Runnable lost = () -> {
                if (ended.compareAndSet(false, true)) {
                    lost();
                }
            };
            reconnects.execute(() -> {
                try {
                    connect(lost);
                } catch (Exception e) {
                    lost.run();
                }
            });
        }

        final void up() {
            connected = true;
            failedInARow.set(0);
        }

        private void lost() {
            connected = false;
            if (!closed) {
                resumes.incrementAndGet();
                long delay = 250L * Math.min(8, failedInARow.incrementAndGet());
                reconnects.schedule(this::open, delay, TimeUnit.MILLISECONDS);
            }
        }

        final boolean connected() {
            return connected;
        }

        final int reconnects() {
            return resumes.get();
        }

        final synchronized void seen(long seq) {
            seqs.add(seq);
        }

        final synchronized List<Long> seqs() {
            return List.copyOf(seqs);
        }

        final long last() {
            List<Long> all = seqs();
            return all.isEmpty() ? 0 : all.getLast();
        }

        final void close() {
            closed = true;
            disconnect();
        }
    }

    /** Server-sent events with {@code Last-Event-ID}: numeric ids are notification sequence numbers. */
    private final class Sse extends Client {

        private final URI uri;
        private final String token;
        private volatile String lastEventId;
        private volatile InputStream body;
        private final List<String> events = new ArrayList<>();
        private final List<String> data = new ArrayList<>();

        Sse(URI uri, String token, String lastEventId) {
            this.uri = uri;
            this.token = token;
            this.lastEventId = lastEventId;
        }

        @Override
        void connect(Runnable lost) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                    .header("Authorization", "Bearer " + token)
                    .header("Accept", "text/event-stream");
            if (lastEventId != null) {
                request.header("Last-Event-ID", lastEventId);
            }
            HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            body = response.body();
            if (response.statusCode() != 200) {
                body.close();
                lost.run();
                return;
            }
            up();
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                String id = null;
                String event = "message";
                StringBuilder payload = new StringBuilder();
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.startsWith("id:")) {
                        id = line.substring(3).strip();
                    } else if (line.startsWith("event:")) {
                        event = line.substring(6).strip();
                    } else if (line.startsWith("data:")) {
                        payload.append(line.substring(5).strip());
                    } else if (line.isEmpty() && !payload.isEmpty()) {
                        dispatch(id, event, payload.toString());
                        id = null;
                        event = "message";
                        payload.setLength(0);
                    }
                }
            } catch (IOException e) {
                // the connection broke: resumed below
            }
            lost.run();
        }

        private synchronized void dispatch(String id, String event, String payload) {
            events.add(event);
            data.add(payload);
            if (id != null) {
                lastEventId = id;
                if ("notification".equals(event)) {
                    seen(Long.parseLong(id));
                }
            }
        }

        synchronized List<String> events() {
            return List.copyOf(events);
        }

        synchronized List<String> data() {
            return List.copyOf(data);
        }

        @Override
        void disconnect() {
            InputStream current = body;
            if (current != null) {
                try {
                    current.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
        }
    }

    /** The notification WebSocket, resumed with {@code ?after=<last seq>}. */
    private final class Ws extends Client {

        private final URI gateway;
        private final String token;
        private volatile WebSocket socket;

        Ws(URI gateway, String token) {
            this.gateway = gateway;
            this.token = token;
        }

        @Override
        void connect(Runnable lost) throws Exception {
            URI uri = URI.create(gateway.toString().replaceFirst("^http", "ws") + "/ws/notifications?after=" + last()
                    + "&access_token=" + token);
            socket = http.newWebSocketBuilder()
                    .connectTimeout(Duration.ofSeconds(5))
                    .buildAsync(uri, new WebSocket.Listener() {
                        private final StringBuilder message = new StringBuilder();

                        @Override
                        public void onOpen(WebSocket webSocket) {
                            up();
                            webSocket.request(1);
                        }

                        @Override
                        public CompletionStage<?> onText(WebSocket webSocket, CharSequence text, boolean last) {
                            message.append(text);
                            if (last) {
                                JsonNode frame = JSON.readTree(message.toString());
                                message.setLength(0);
                                if ("notification".equals(frame.path("type").asString())) {
                                    seen(frame.path("notification").path("seq").asLong());
                                }
                            }
                            webSocket.request(1);
                            return null;
                        }

                        @Override
                        public CompletionStage<?> onClose(WebSocket webSocket, int status, String reason) {
                            lost.run();
                            return null;
                        }

                        @Override
                        public void onError(WebSocket webSocket, Throwable error) {
                            lost.run();
                        }
                    })
                    .get(10, TimeUnit.SECONDS);
        }

        @Override
        void disconnect() {
            WebSocket current = socket;
            if (current != null) {
                current.abort();
            }
        }
    }

    /**
     * Long polls one order's status until its last version, polling again with the same {@code after}
     * whatever went wrong (after a quarter of a second when the gateway or the instance failed).
     */
    private final class LongPoller {

        private final URI status;
        private final String token;
        private final List<Long> versions = new ArrayList<>();
        private volatile long after = 1;

        LongPoller(URI gateway, String token, String order) {
            this.status = gateway.resolve("/api/orders/" + order + "/status");
            this.token = token;
        }

        void poll() {
            long delay = 250;
            try {
                HttpResponse<String> response = http.send(
                        HttpRequest.newBuilder(URI.create(status + "?after=" + after + "&wait=PT25S"))
                                .timeout(Duration.ofSeconds(35))
                                .header("Authorization", "Bearer " + token)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    after = JSON.readTree(response.body()).path("version").asLong();
                    synchronized (versions) {
                        versions.add(after);
                    }
                }
                if (response.statusCode() == 200 || response.statusCode() == 304) {
                    delay = 0;
                }
            } catch (IOException e) {
                // polled again below
            } catch (InterruptedException e) {
                return;
            }
            if (after < 4 && !reconnects.isShutdown()) {
                reconnects.schedule(this::poll, delay, TimeUnit.MILLISECONDS);
            }
        }

        List<Long> versions() {
            synchronized (versions) {
                return List.copyOf(versions);
            }
        }
    }
}
