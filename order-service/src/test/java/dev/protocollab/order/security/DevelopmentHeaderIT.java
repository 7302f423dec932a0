package dev.protocollab.order.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.protocollab.order.IntegrationTest;
import dev.protocollab.order.TestClients;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

@IntegrationTest
@TestPropertySource(properties = "orders.security.development-header=true")
class DevelopmentHeaderIT {

    @Autowired
    TestClients clients;

    @Test
    void whenEnabledTheHeaderNamesTheCustomerButATokenStillWins() {
        TestClients.Response created = clients.send(HttpRequest.newBuilder(clients.uri("/api/orders"))
                .header("X-Customer-Id", "erin")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"items\":[{\"sku\":\"A\",\"quantity\":1,\"unitPrice\":\"1.00\"}],\"currency\":\"EUR\"}"))
                .build());
        TestClients.Response withForgedToken = clients.send(HttpRequest.newBuilder(clients.uri("/api/orders"))
                .header("X-Customer-Id", "erin")
                .header("Authorization", "Bearer " + clients.issuer().forgedToken("erin"))
                .GET()
                .build());

        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().path("customerId").asString()).isEqualTo("erin");
        assertThat(withForgedToken.status()).isEqualTo(401);
    }
}
