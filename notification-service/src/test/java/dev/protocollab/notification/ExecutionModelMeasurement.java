package dev.protocollab.notification;

import dev.protocollab.testsupport.TestJwtIssuer;
import dev.protocollab.testsupport.TestPostgres;
import dev.protocollab.testsupport.TestRabbit;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Measures what parked clients cost the server, for the execution-model decision (docs/adr/0100): starts
 * the packaged service as its own process on a fresh database and virtual host, parks {@code N} long polls
 * and then {@code N} WebSocket sessions, and reads the process's OS thread count and its heap after a full
 * GC. Run with virtual threads on and off to compare. Not a test: a tool, run by hand (see the ADR).
 *
 * <p>{@code java -cp <test classpath> dev.protocollab.notification.ExecutionModelMeasurement 1000 true}
 */
public final class ExecutionModelMeasurement {

    private static final Duration PARK_DEADLINE = Duration.ofSeconds(60);

    private ExecutionModelMeasurement() {}

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        boolean virtual = args.length <= 1 || Boolean.parseBoolean(args[1]);
        Path jar = Path.of(args.length > 2 ? args[2] : "target/notification-service-0.1.0-SNAPSHOT.jar");
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        try (TestJwtIssuer issuer = TestJwtIssuer.start();
                TestPostgres.Database database = TestPostgres.newDatabase("notification_measure");
                TestRabbit.Broker broker = TestRabbit.newVirtualHost("notification-measure")) {
            int port = freePort();
            int management = freePort();
            Path log = Files.createTempFile("notification-measure", ".log");
            Process app = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-Xmx512m",
                            "-jar",
                            jar.toString(),
                            "--server.port=" + port,
                            "--management.server.port=" + management,
                            "--spring.threads.virtual.enabled=" + virtual,
                            "--spring.datasource.url=" + database.jdbcUrl(),
                            "--spring.datasource.username=" + database.username(),
                            "--spring.datasource.password=" + database.password(),
                            "--spring.rabbitmq.host=" + broker.host(),
                            "--spring.rabbitmq.port=" + broker.port(),
                            "--spring.rabbitmq.username=" + broker.username(),
                            "--spring.rabbitmq.password=" + broker.password(),
                            "--spring.rabbitmq.virtual-host=" + broker.virtualHost(),
                            "--spring.security.oauth2.resourceserver.jwt.jwk-set-uri=" + issuer.jwksUri(),
                            "--notifications.polling.max-wait=120s",
                            "--notifications.websocket.idle-timeout=10m",
                            "--logging.level.root=WARN")
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            try {
                awaitHealthy(http, management);
                // Warm: the first requests load classes and fill pools, which is not what is measured.
                for (int i = 0; i < 20; i++) {
                    send(http, get(port, "/api/notifications?after=0", issuer.token("warm-" + i)));
                }
                Sample idle = sample(app.pid());
                System.out.printf("virtual threads %s, idle: %s%n", virtual, idle);

                // Polls on a client of their own, closed afterwards, so their keep-alive connections go too.
                HttpClient pollClient = HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(10))
                        .build();
                List<CompletableFuture<HttpResponse<Void>>> polls = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    HttpRequest request = get(port, "/api/notifications?after=0&wait=PT30S", issuer.token("poll-" + i));
                    polls.add(pollClient.sendAsync(request, HttpResponse.BodyHandlers.discarding()));
                }
                int parked = awaitGauge(http, management, "long-poll", count);
                Sample withPolls = sample(app.pid());
                System.out.printf(
                        "%d of %d long polls parked: %s; per parked poll %.1f KB heap, %.2f threads%n",
                        parked,
                        count,
                        withPolls,
                        (withPolls.heapKb() - idle.heapKb()) / (double) Math.max(1, parked),
                        (withPolls.threads() - idle.threads()) / (double) Math.max(1, parked));
                // The server holds each poll until its wait ends; measure sessions from a quiet server again.
                awaitGaugeZero(http, management, "long-poll");
                pollClient.shutdownNow();
                pollClient.awaitTermination(Duration.ofSeconds(10));
                Sample quiet = sample(app.pid());

                List<WebSocket> sockets = new ArrayList<>();
                try {
                    for (int i = 0; i < count; i++) {
                        sockets.add(http.newWebSocketBuilder()
                                .header("Authorization", "Bearer " + issuer.token("ws-" + i))
                                .buildAsync(
                                        URI.create("ws://127.0.0.1:" + port + "/ws/notifications"),
                                        new WebSocket.Listener() {})
                                .get(30, TimeUnit.SECONDS));
                    }
                } catch (java.util.concurrent.TimeoutException e) {
                    System.out.printf("WebSocket handshake %d not answered within 30s%n", sockets.size() + 1);
                }
                int open = awaitGauge(http, management, "websocket", count);
                Sample withSockets = sample(app.pid());
                System.out.printf(
                        "%d WebSocket sessions open (from %s): %s; per session %.1f KB heap, %.2f threads%n",
                        open,
                        quiet,
                        withSockets,
                        (withSockets.heapKb() - quiet.heapKb()) / (double) Math.max(1, open),
                        (withSockets.threads() - quiet.threads()) / (double) Math.max(1, open));
                sockets.forEach(WebSocket::abort);
            } finally {
                app.destroy();
                app.waitFor(20, TimeUnit.SECONDS);
                app.destroyForcibly();
            }
        }
    }

    /** The server process's OS threads (platform threads plus the JVM's own) and heap after a full GC. */
    record Sample(int threads, long heapKb) {
        @Override
        public String toString() {
            return threads + " OS threads, " + heapKb / 1024 + " MB heap used after GC";
        }
    }

    private static Sample sample(long pid) throws IOException, InterruptedException {
        jcmd(pid, "GC.run");
        String heap = jcmd(pid, "GC.heap_info");
        Matcher used = Pattern.compile("used (\\d+)K").matcher(heap);
        if (!used.find()) {
            throw new IllegalStateException("no heap figure in: " + heap);
        }
        String status = Files.readString(Path.of("/proc/" + pid + "/status"));
        Matcher threads = Pattern.compile("Threads:\\s+(\\d+)").matcher(status);
        threads.find();
        return new Sample(Integer.parseInt(threads.group(1)), Long.parseLong(used.group(1)));
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid), command)
                .redirectErrorStream(true)
                .start();
        String output = new String(jcmd.getInputStream().readAllBytes());
        if (!jcmd.waitFor(30, TimeUnit.SECONDS)) {
            jcmd.destroyForcibly();
            throw new IllegalStateException("jcmd " + command + " did not finish");
        }
        return output;
    }

    private static int awaitGauge(HttpClient http, int management, String channel, int expected)
            throws InterruptedException {
        long deadline = System.nanoTime() + PARK_DEADLINE.toNanos();
        int seen = 0;
        int stableFor = 0;
        while (System.nanoTime() < deadline) {
            int now = (int) gauge(http, management, channel);
            if (now >= expected) {
                return now;
            }
            stableFor = now == seen ? stableFor + 1 : 0;
            seen = now;
            if (stableFor >= 20 && seen > 0) {
                return seen; // no longer growing: as many as the server will take
            }
            TimeUnit.MILLISECONDS.sleep(250);
        }
        return seen;
    }

    private static void awaitGaugeZero(HttpClient http, int management, String channel) throws InterruptedException {
        long deadline = System.nanoTime() + PARK_DEADLINE.toNanos();
        while (gauge(http, management, channel) > 0 && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(250);
        }
    }

    private static double gauge(HttpClient http, int management, String channel) {
        String body = send(
                http,
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management + "/actuator/prometheus"))
                        .timeout(Duration.ofSeconds(10))
                        .build());
        return body.lines()
                .filter(l -> l.startsWith("notifications_connections{") && l.contains("channel=\"" + channel + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    private static void awaitHealthy(HttpClient http, int management) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (send(
                                http,
                                HttpRequest.newBuilder(
                                                URI.create("http://127.0.0.1:" + management + "/actuator/health"))
                                        .timeout(Duration.ofSeconds(2))
                                        .build())
                        .contains("\"UP\"")) {
                    return;
                }
            } catch (RuntimeException e) {
                // not up yet
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
        throw new IllegalStateException("the service did not become healthy");
    }

    private static HttpRequest get(int port, String path, String token) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(180))
                .header("Authorization", "Bearer " + token)
                .build();
    }

    private static String send(HttpClient http, HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
