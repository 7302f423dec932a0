package dev.protocollab.notification;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

@IntegrationTest
class ManagementPortIT {

    @Autowired
    TestClients clients;

    @Test
    void healthAndMetricsAreServedOnTheManagementPortOnly() {
        TestClients.Response health = management("/actuator/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"UP\"");
        assertThat(clients.get(null, "/actuator/health").status()).isEqualTo(404);

        String prometheus = management("/actuator/prometheus").body();
        assertThat(prometheus)
                .contains("notifications_connections{")
                .contains("resilience4j_circuitbreaker_state{")
                .contains("name=\"order-service\"");
    }

    private TestClients.Response management(String path) {
        return clients.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + clients.managementPort() + path))
                .timeout(Duration.ofSeconds(10))
                .build());
    }
}
