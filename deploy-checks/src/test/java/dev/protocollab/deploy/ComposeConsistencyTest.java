package dev.protocollab.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docker compose against what the services listen on and read. */
class ComposeConsistencyTest {

    @Test
    void everyServiceRunsAsItsConfigurationSays() {
        assertThat(ComposeChecks.check(Repository.COMPOSE, KubernetesConsistencyTest.configs()))
                .isEmpty();
    }

    @Test
    void aWrongManagementPortIsCaught(@TempDir Path copy) {
        Repository.copyOfDeploy(copy);
        Repository.replaceIn(
                copy.resolve("compose/apps.yml"), "MANAGEMENT_PORT: \"9183\"", "MANAGEMENT_PORT: \"9193\"");

        assertThat(ComposeChecks.check(copy.resolve("compose"), KubernetesConsistencyTest.configs()))
                .containsExactly("stream-service: MANAGEMENT_PORT 9193 (the image's health check) is not"
                        + " stream-service's management port 9183");
    }

    @Test
    void anAddressOnAPortNobodyListensOnIsCaught(@TempDir Path copy) {
        Repository.copyOfDeploy(copy);
        Repository.replaceIn(
                copy.resolve("compose/apps.yml"),
                "ORDER_GRPC_URLS: http://order-service:9091",
                "ORDER_GRPC_URLS: http://order-service:9090");

        assertThat(ComposeChecks.check(copy.resolve("compose"), KubernetesConsistencyTest.configs()))
                .singleElement()
                .asString()
                .contains("ORDER_GRPC_URLS calls order-service:9090");
    }

    @Test
    void aDatabaseTheInitScriptDoesNotCreateIsCaught(@TempDir Path copy) {
        Repository.copyOfDeploy(copy);
        Repository.replaceIn(copy.resolve("compose/postgres/init.sql"), "CREATE DATABASE notifications;", "");

        assertThat(ComposeChecks.check(copy.resolve("compose"), KubernetesConsistencyTest.configs()))
                .anySatisfy(v -> assertThat(v).contains("names database notifications"));
    }

    @Test
    void publishingAnythingButTheGatewayIsCaught(@TempDir Path copy) {
        Repository.copyOfDeploy(copy);
        Repository.replaceIn(
                copy.resolve("compose/apps.yml"),
                "      <<: *rabbitmq-env\n    depends_on:\n      rabbitmq:",
                "      <<: *rabbitmq-env\n    ports:\n      - \"8083:8083\"\n    depends_on:\n      rabbitmq:");

        assertThat(ComposeChecks.check(copy.resolve("compose"), KubernetesConsistencyTest.configs()))
                .containsExactly("stream-service is published to the host; only the gateway is");
    }

    @Test
    void aVariableTheServiceDoesNotReadIsCaught(@TempDir Path copy) {
        Repository.copyOfDeploy(copy);
        Repository.replaceIn(copy.resolve("compose/apps.yml"), "ORDERS_DB_URL:", "ORDER_DB_URL:");

        assertThat(ComposeChecks.check(copy.resolve("compose"), KubernetesConsistencyTest.configs()))
                .containsExactly("order-service: sets ORDER_DB_URL, which order-service never reads");
    }
}
