package dev.protocollab.loadtests;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * N subscribers of stream-service's {@code metrics} topic, which publishes one window per second to every
 * subscriber, over WebSocket ({@code /ws/stream}) or SSE ({@code /api/stream/metrics}). Delivery latency
 * is the receipt time minus the window's {@code windowEnd} (the moment the server closed and published
 * it; client and server share this machine's clock).
 *
 * <p>With {@code --processes=K} the subscribers are split over K child JVMs ({@code fanout-part}): the
 * sandbox caps open files at 20 000 per process, so one driver process cannot hold 20 000 sockets however
 * small its heap per socket. The children connect, wait for a {@code go} line, measure, print their counts
 * and their histogram (HdrHistogram's compressed form, base64), and hold their connections until stdin
 * closes, so the server is sampled while every subscriber is still connected.
 */
final class FanOut {

    private FanOut() {}

    static void run(Options options) throws Exception {
        int clients = options.integer("clients", 1000);
        int processes = Math.max(1, options.integer("processes", 1));
        Duration duration = options.seconds("duration", 30);
        long pid = Long.parseLong(options.string("server-pid", "0"));
        String management = options.string("management", null);

        ServerStats before = ServerStats.sample(pid, management);
        List<Part> parts = new ArrayList<>();
        for (int i = 0; i < processes; i++) {
            int share = clients / processes + (i < clients % processes ? 1 : 0);
            parts.add(processes == 1 ? new LocalPart(options, share) : new ChildPart(options, share));
        }
        long connectStart = System.nanoTime();
        for (Part part : parts) {
            part.connect();
        }
        for (Part part : parts) {
            part.awaitConnected();
        }
        double connectSeconds = (System.nanoTime() - connectStart) / 1e9;
        // one full window so every subscriber has seen an event before the measurement starts
        Thread.sleep(2_000);
        long measureStart = System.nanoTime();
        for (Part part : parts) {
            part.startMeasuring();
        }
        Thread.sleep(duration.toMillis());
        List<Subscribers.Result> results = new ArrayList<>();
        for (Part part : parts) {
            results.add(part.stopMeasuring());
        }
        long windows = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - measureStart);
        // every subscriber still connected: this is the memory that holding them costs
        ServerStats during = ServerStats.sample(pid, management);
        for (Part part : parts) {
            part.close();
        }

        long connected =
                results.stream().mapToLong(Subscribers.Result::connected).sum();
        Histogram latencies = new Histogram(Latencies.HIGHEST_MICROS, 3);
        results.forEach(r -> latencies.add(r.latencies()));
        System.out.printf(
                "fanout.transport=%s%nfanout.clients=%d%nfanout.processes=%d%nfanout.connected=%d%n",
                options.string("transport"), clients, processes, connected);
        System.out.printf(
                "fanout.connect_failures=%d%nfanout.connect_seconds=%.1f%n",
                results.stream().mapToLong(Subscribers.Result::failures).sum(), connectSeconds);
        System.out.printf(
                "fanout.windows=%d%nfanout.received=%d%n",
                windows,
                results.stream().mapToLong(Subscribers.Result::received).sum());
        System.out.printf("fanout.expected=%d%n", windows * connected);
        Latencies.print("fanout.latency", latencies, options.string("hgrm", null));
        before.print("server.before");
        during.print("server.during");
        if (before.rssKib() > 0 && connected > 0) {
            double per1k = 1000.0 / connected;
            System.out.printf("server.rss_mib_per_1k=%.2f%n", (during.rssKib() - before.rssKib()) / 1024.0 * per1k);
            System.out.printf("server.heap_mib_per_1k=%.2f%n", (during.heapUsedMib() - before.heapUsedMib()) * per1k);
        }
    }

    /** One child's side of the line protocol (command {@code fanout-part}). */
    static void runPart(Options options) throws Exception {
        PrintStream out = System.out;
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (Subscribers subscribers = new Subscribers(options, options.integer("clients", 1000))) {
            subscribers.connect();
            subscribers.awaitConnected();
            out.println("ready");
            out.flush();
            expect(in, "go");
            subscribers.startMeasuring();
            expect(in, "stop");
            Subscribers.Result result = subscribers.stopMeasuring();
            ByteBuffer buffer = ByteBuffer.allocate(result.latencies().getNeededByteBufferCapacity());
            result.latencies().encodeIntoCompressedByteBuffer(buffer);
            buffer.flip();
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            out.printf(
                    "result %d %d %d %s%n",
                    result.connected(),
                    result.failures(),
                    result.received(),
                    Base64.getEncoder().encodeToString(bytes));
            out.flush();
            // hold the connections until the coordinator has sampled the server and closes our stdin
            while (in.readLine() != null) {
                // nothing else is expected
            }
        }
    }

    private static void expect(BufferedReader in, String command) throws IOException {
        String line = in.readLine();
        if (!command.equals(line)) {
            throw new IllegalStateException("expected " + command + " from the coordinator, got " + line);
        }
    }

    private interface Part {
        void connect() throws Exception;

        void awaitConnected() throws Exception;

        void startMeasuring() throws Exception;

        Subscribers.Result stopMeasuring() throws Exception;

        void close() throws Exception;
    }

    private static final class LocalPart implements Part {
        private final Subscribers subscribers;

        LocalPart(Options options, int clients) {
            this.subscribers = new Subscribers(options, clients);
        }

        @Override
        public void connect() {
            subscribers.connect();
        }

        @Override
        public void awaitConnected() throws Exception {
            subscribers.awaitConnected();
        }

        @Override
        public void startMeasuring() {
            subscribers.startMeasuring();
        }

        @Override
        public Subscribers.Result stopMeasuring() {
            return subscribers.stopMeasuring();
        }

        @Override
        public void close() {
            subscribers.close();
        }
    }

    private static final class ChildPart implements Part {
        private final Options options;
        private final int clients;
        private Process process;
        private BufferedReader out;
        private PrintStream in;

        ChildPart(Options options, int clients) {
            this.options = options;
            this.clients = clients;
        }

        @Override
        public void connect() throws IOException {
            String java =
                    Path.of(System.getProperty("java.home"), "bin", "java").toString();
            // bench.sh runs the driver as `java -jar load-driver.jar` (a Spring Boot jar: its classes are
            // nested, so the child runs the same jar); from an IDE the class path is a plain one
            String classPath = System.getProperty("java.class.path");
            List<String> launch = classPath.endsWith(".jar") && !classPath.contains(File.pathSeparator)
                    ? List.of("-jar", classPath)
                    : List.of("-cp", classPath, Driver.class.getName());
            List<String> command = new ArrayList<>(List.of(
                    java, "-Xmx" + options.string("part-heap", "768m"), "--sun-misc-unsafe-memory-access=allow"));
            command.addAll(launch);
            command.add("fanout-part");
            for (String key : List.of("url", "transport", "token", "connect-rate", "client-threads")) {
                String value = options.string(key, null);
                if (value != null) {
                    command.add("--" + key + "=" + value);
                }
            }
            command.add("--clients=" + clients);
            process = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            in = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
        }

        @Override
        public void awaitConnected() throws IOException {
            String line = out.readLine();
            if (!"ready".equals(line)) {
                throw new IllegalStateException("driver part did not get ready: " + line);
            }
        }

        @Override
        public void startMeasuring() {
            in.println("go");
        }

        @Override
        public Subscribers.Result stopMeasuring() throws IOException, DataFormatException {
            in.println("stop");
            String line = out.readLine();
            if (line == null || !line.startsWith("result ")) {
                throw new IllegalStateException("driver part gave no result: " + line);
            }
            String[] fields = line.split(" ");
            Histogram histogram = Histogram.decodeFromCompressedByteBuffer(
                    ByteBuffer.wrap(Base64.getDecoder().decode(fields[4])), Latencies.HIGHEST_MICROS);
            return new Subscribers.Result(
                    Long.parseLong(fields[1]), Long.parseLong(fields[2]), Long.parseLong(fields[3]), histogram);
        }

        @Override
        public void close() throws InterruptedException {
            in.close();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
