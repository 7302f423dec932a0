package dev.protocollab.loadtests;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a server process costs, seen from outside: resident memory and OS threads from {@code /proc}, heap
 * in use (after a full GC through jcmd, so it is the live set) and live JVM threads from its actuator.
 */
record ServerStats(long rssKib, long osThreads, double heapUsedMib, double jvmThreads) {

    private static final Pattern VALUE = Pattern.compile("\"value\"\\s*:\\s*([0-9.Ee+-]+)");
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    static ServerStats sample(long pid, String managementUrl) throws IOException, InterruptedException {
        if (pid <= 0) {
            return new ServerStats(-1, -1, -1, -1);
        }
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        Process gc = new ProcessBuilder(jcmd, String.valueOf(pid), "GC.run")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        gc.waitFor(30, TimeUnit.SECONDS);
        String status = Files.readString(Path.of("/proc", String.valueOf(pid), "status"));
        return new ServerStats(
                field(status, "VmRSS"),
                field(status, "Threads"),
                metric(managementUrl, "jvm.memory.used?tag=area:heap") / (1024 * 1024),
                metric(managementUrl, "jvm.threads.live"));
    }

    void print(String prefix) {
        System.out.printf("%s.rss_mib=%.1f%n", prefix, rssKib / 1024.0);
        System.out.printf("%s.os_threads=%d%n", prefix, osThreads);
        System.out.printf("%s.heap_used_mib=%.1f%n", prefix, heapUsedMib);
        System.out.printf("%s.jvm_threads=%.0f%n", prefix, jvmThreads);
    }

    private static long field(String status, String name) {
        Matcher m =
                Pattern.compile("^" + name + ":\\s+(\\d+)", Pattern.MULTILINE).matcher(status);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static double metric(String managementUrl, String query) {
        if (managementUrl == null || managementUrl.isBlank()) {
            return -1;
        }
        try {
            HttpResponse<String> response = HTTP.send(
                    HttpRequest.newBuilder(URI.create(managementUrl + "/actuator/metrics/" + query))
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            Matcher m = VALUE.matcher(response.body());
            return m.find() ? Double.parseDouble(m.group(1)) : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
