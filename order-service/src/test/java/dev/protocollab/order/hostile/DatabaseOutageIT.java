package dev.protocollab.order.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.protocollab.order.IntegrationTest;
import dev.protocollab.order.TestClients;
import dev.protocollab.testsupport.TcpProxy;
import dev.protocollab.testsupport.TestPostgres;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistrar;

/**
 * While PostgreSQL is unreachable, order-service answers 503 with {@code Retry-After} (gRPC: {@code
 * UNAVAILABLE}), a transient failure clients and the gateway retry, not a 500; once it is back, the same
 * request succeeds. The chaos suite found the 500s (e2e-tests, {@code OrderServiceChaosIT}).
 */
@IntegrationTest
@Import(DatabaseOutageIT.DatabaseBehindAProxy.class)
class DatabaseOutageIT {

    /** The service reaches PostgreSQL only through a proxy the test can cut. */
    @TestConfiguration(proxyBeanMethods = false)
    static class DatabaseBehindAProxy {

        @Bean(destroyMethod = "close")
        TcpProxy databaseProxy(TestPostgres.Database database) {
            URI address = URI.create(database.jdbcUrl().substring("jdbc:".length()));
            return TcpProxy.start(address.getHost(), address.getPort());
        }

        /** Hikari's own URL property is bound after {@code spring.datasource.url}, so it wins. */
        @Bean
        DynamicPropertyRegistrar databaseThroughProxy(TestPostgres.Database database, TcpProxy databaseProxy) {
            URI address = URI.create(database.jdbcUrl().substring("jdbc:".length()));
            return registry -> registry.add(
                    "spring.datasource.hikari.jdbc-url",
                    () -> database.jdbcUrl()
                            .replace(address.getHost() + ":" + address.getPort(), "127.0.0.1:" + databaseProxy.port()));
        }
    }

    @Autowired
    TestClients clients;

    @Autowired
    TcpProxy databaseProxy;

    @AfterEach
    void databaseBack() {
        databaseProxy.enable();
    }

    @Test
    void restAnswers503WithRetryAfterWhileTheDatabaseIsDownAndSucceedsOnceItIsBack() {
        databaseProxy.disable();

        TestClients.Response refused = clients.postJson("alice", "/api/orders", body(), "Idempotency-Key", "outage-1");

        assertThat(refused.status()).as(refused.body()).isEqualTo(503);
        assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
        assertThat(refused.header("Retry-After")).isEqualTo("1");
        assertThat(refused.json().path("type").asString()).endsWith("/database-unavailable");

        databaseProxy.enable();
        // a client retries after Retry-After, as told; the pool may still hand out a connection the cut broke, so the
        // first retry can be another 503 (never a 500), and a later one succeeds with the same key
        java.util.List<Integer> retries = new java.util.concurrent.CopyOnWriteArrayList<>();
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(15))
                .pollInterval(java.time.Duration.ofSeconds(1))
                .until(() -> {
                    int status = clients.postJson("alice", "/api/orders", body(), "Idempotency-Key", "outage-1")
                            .status();
                    retries.add(status);
                    return status == 201;
                });
        assertThat(retries.subList(0, retries.size() - 1))
                .as("retries before success")
                .allSatisfy(status -> assertThat(status).isEqualTo(503));
    }

    @Test
    void grpcAnswersUnavailableWhileTheDatabaseIsDown() {
        databaseProxy.disable();

        assertThatThrownBy(() -> clients.blocking("alice").createOrder(GrpcCalls.book()))
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    }

    private static String body() {
        return "{\"items\":[{\"sku\":\"BOOK-42\",\"quantity\":1,\"unitPrice\":\"1.00\"}],\"currency\":\"EUR\"}";
    }
}
