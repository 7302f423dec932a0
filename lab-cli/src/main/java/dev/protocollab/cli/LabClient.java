package dev.protocollab.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The tour's view of the suite: everything through the gateway, the way a client would reach it. Every
 * call has a deadline; streams are read on virtual threads into queues so a step can wait for what it
 * expects with its own timeout.
 */
public final class LabClient implements AutoCloseable {

    static final Duration CALL_TIMEOUT = Duration.ofSeconds(35);

    private final URI gateway;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final List<AutoCloseable> open = new ArrayList<>();

    public LabClient(URI gateway) {
        this.gateway = gateway;
    }

    URI gateway() {
        return gateway;
    }

    /** A token from the gateway's development issuer ({@code POST /auth/token}, demo profile). */
    String token(String subject) throws IOException, InterruptedException {
        HttpResponse<String> response = send(
                "POST", "/auth/token", null, "{\"subject\":\"" + subject + "\"}", "Content-Type", "application/json");
        if (response.statusCode() != 200) {
            throw new AssertionError("POST /auth/token answered " + response.statusCode() + ": " + response.body());
        }
        return json(response.body()).get("access_token").getAsString();
    }

    HttpResponse<String> send(String method, String path, String token, String body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(gateway.resolve(path))
                .timeout(CALL_TIMEOUT)
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonObject json(String text) {
        return JsonParser.parseString(text).getAsJsonObject();
    }

    static String query(String token) {
        return "access_token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
    }

    /** One server-sent event as a client sees it. */
    record Event(String name, String id, String data) {

        JsonObject json() {
            return LabClient.json(data);
        }
    }

    /** An open SSE response, parsed event by event into a queue. */
    final class EventStream implements AutoCloseable {

        private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        private final Thread reader;
        private volatile Stream<String> lines;
        private volatile int status;

        EventStream(String path, String lastEventId) {
            HttpRequest.Builder request = HttpRequest.newBuilder(gateway.resolve(path))
                    .header("Accept", "text/event-stream")
                    .GET();
            if (lastEventId != null) {
                request.header("Last-Event-ID", lastEventId);
            }
            HttpResponse<Stream<String>> response;
            try {
                response = http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofLines())
                        .get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError("GET " + path + " did not answer within 10 s: " + e, e);
            }
            status = response.statusCode();
            lines = response.body();
            reader = Thread.ofVirtual().name("sse " + path).start(this::read);
            open.add(this);
        }

        int status() {
            return status;
        }

        private void read() {
            String name = "message";
            String id = null;
            StringBuilder data = new StringBuilder();
            try {
                for (String line : (Iterable<String>) lines::iterator) {
                    if (line.isEmpty()) {
                        if (!data.isEmpty()) {
                            events.add(new Event(name, id, data.toString()));
                        }
                        name = "message";
                        data.setLength(0);
                    } else if (line.startsWith("event:")) {
                        name = line.substring(6).strip();
                    } else if (line.startsWith("id:")) {
                        id = line.substring(3).strip();
                    } else if (line.startsWith("data:")) {
                        data.append(data.isEmpty() ? "" : "\n")
                                .append(line.substring(5).strip());
                    }
                }
            } catch (UncheckedIOException | IllegalStateException e) {
                // closed by us, or the server went away: the queue simply stops growing
            }
        }

        /** The next event that matches, waiting at most {@code timeout}. */
        Event await(Predicate<Event> wanted, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                long left = deadline - System.nanoTime();
                Event event = left > 0 ? events.poll(left, TimeUnit.NANOSECONDS) : null;
                if (event == null) {
                    throw new AssertionError("no matching event within " + timeout.toSeconds() + " s");
                }
                if (wanted.test(event)) {
                    return event;
                }
            }
        }

        @Override
        public void close() {
            if (lines != null) {
                lines.close();
            }
            reader.interrupt();
        }
    }

    EventStream events(String path, String lastEventId) {
        return new EventStream(path, lastEventId);
    }

    /** A WebSocket whose text messages land in a queue. */
    final class Socket implements WebSocket.Listener, AutoCloseable {

        private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();
        private final WebSocket socket;
        private volatile String closed;

        Socket(String path) {
            URI uri = URI.create(gateway.toString().replaceFirst("^http", "ws")).resolve(path);
            try {
                socket = http.newWebSocketBuilder()
                        .connectTimeout(Duration.ofSeconds(5))
                        .buildAsync(uri, this)
                        .get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError("WebSocket " + path + " did not open: " + e, e);
            }
            open.add(this);
        }

        void send(String text) {
            socket.sendText(text, true).orTimeout(5, TimeUnit.SECONDS).join();
        }

        JsonObject await(Predicate<JsonObject> wanted, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                long left = deadline - System.nanoTime();
                String message = left > 0 ? messages.poll(left, TimeUnit.NANOSECONDS) : null;
                if (message == null) {
                    throw new AssertionError("no matching WebSocket message within " + timeout.toSeconds() + " s"
                            + (closed == null ? "" : "; closed: " + closed));
                }
                JsonObject json = json(message);
                if (wanted.test(json)) {
                    return json;
                }
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                messages.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed = statusCode + " " + reason;
            return null;
        }

        @Override
        public void close() {
            if (!socket.isOutputClosed()) {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").orTimeout(2, TimeUnit.SECONDS);
            }
            socket.abort();
        }
    }

    Socket socket(String path) {
        return new Socket(path);
    }

    /** gRPC to the gateway's cleartext port (h2c with prior knowledge). */
    ManagedChannel grpc() {
        ManagedChannel channel = NettyChannelBuilder.forAddress(gateway.getHost(), gateway.getPort())
                .usePlaintext()
                .build();
        open.add(() -> channel.shutdownNow().awaitTermination(2, TimeUnit.SECONDS));
        return channel;
    }

    static CallCredentials bearer(String token) {
        return new CallCredentials() {
            @Override
            public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
                Metadata headers = new Metadata();
                headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
                applier.apply(headers);
            }
        };
    }

    static Status.Code code(Throwable e) {
        return Status.fromThrowable(e).getCode();
    }

    @Override
    public void close() {
        for (AutoCloseable closeable : open.reversed()) {
            try {
                closeable.close();
            } catch (Exception e) {
                // closing is best effort; the process is about to end anyway
            }
        }
        open.clear();
        http.close();
    }
}
