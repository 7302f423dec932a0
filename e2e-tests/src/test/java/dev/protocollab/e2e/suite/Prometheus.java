package dev.protocollab.e2e.suite;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Reads a service's {@code /actuator/prometheus} text, the way a Prometheus scrape does: one GET, 5 s deadline. */
public final class Prometheus {

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private Prometheus() {}

    /** The exposition text of the management server at {@code managementUri}. */
    public static String scrape(URI managementUri) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(managementUri.resolve("/actuator/prometheus"))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(managementUri + "/actuator/prometheus answered " + response.statusCode());
        }
        return response.body();
    }
}
