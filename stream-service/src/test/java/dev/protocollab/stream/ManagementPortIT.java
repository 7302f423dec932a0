package dev.protocollab.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;

@IntegrationTest
class ManagementPortIT {

    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    @Autowired
    TestClients clients;

    @Value("${local.management.port}")
    int managementPort;

    @Test
    void healthIsServedOnTheManagementPortOnlyWithoutAToken() throws Exception {
        assertThat(get(managementPort, "/actuator/health").statusCode()).isEqualTo(200);
        assertThat(get(managementPort, "/actuator/health").body()).contains("\"status\":\"UP\"");
        assertThat(get(clients.port(), "/actuator/health").statusCode()).isIn(401, 404);
    }

    @Test
    void prometheusShowsSubscribersDroppedEventsAndEventsIn() throws Exception {
        String metrics = get(managementPort, "/actuator/prometheus").body();

        assertThat(metrics)
                .contains("stream_subscribers{")
                .contains("transport=\"sse\"")
                .contains("transport=\"websocket\"")
                .contains("transport=\"grpc\"")
                .contains("stream_events_dropped_total{")
                .contains("stream_events_in_total{");
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
