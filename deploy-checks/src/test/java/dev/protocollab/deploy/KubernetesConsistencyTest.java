package dev.protocollab.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The kubernetes overlays against what the services listen on and read, and their network edges. */
class KubernetesConsistencyTest {

    static Map<String, ServiceConfig> configs() {
        Map<String, ServiceConfig> configs = new LinkedHashMap<>();
        Repository.SERVICES.forEach(s -> configs.put(s, ServiceConfig.of(s)));
        return configs;
    }

    private static Cluster render(Path k8s, String overlay) {
        return Cluster.of(Kustomize.render(k8s.resolve(overlay)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/prod"})
    void everyServiceRunsAsItsConfigurationSays(String overlay) {
        Cluster cluster = render(Repository.K8S, overlay);

        assertThat(KubernetesChecks.check(cluster, configs(), overlay.endsWith("prod")))
                .isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/prod"})
    void eachNetworkPolicyAdmitsExactlyItsCallers(String overlay) {
        Cluster cluster = render(Repository.K8S, overlay);

        assertThat(NetworkPolicyChecks.check(cluster, configs())).isEmpty();
    }

    @Test
    void theDevOverlayDerivesTheArchitecturesEdges() {
        Cluster cluster = render(Repository.K8S, "overlays/dev");

        Map<String, ServiceConfig> configs = configs();
        List<String> calls = cluster.workloads().values().stream()
                .filter(w -> configs.containsKey(w.name()))
                .flatMap(w -> cluster.calls(w, configs.get(w.name()).defaults()).stream())
                .map(c -> c.caller() + " -> " + c.target() + ":" + c.targetPort())
                .toList();

        assertThat(calls)
                .contains(
                        "gateway-service -> order-service:8081",
                        "gateway-service -> order-service:9091",
                        "gateway-service -> notification-service:8082",
                        "gateway-service -> stream-service:8083",
                        "gateway-service -> stream-service:9093",
                        "notification-service -> order-service:9091",
                        "order-service -> postgres:5432",
                        "notification-service -> postgres:5432",
                        "order-service -> rabbitmq:5672",
                        "stream-service -> rabbitmq:5672",
                        "gateway-service -> redis:6379");
    }

    @Test
    void aWrongPortIsCaught(@TempDir Path copy) {
        Repository.copyOfDeploy(copy);
        Repository.replaceIn(copy.resolve("k8s/base/order-service.yaml"), "containerPort: 8081", "containerPort: 8080");

        assertThat(KubernetesChecks.check(render(copy.resolve("k8s"), "overlays/dev"), configs(), false))
                .anySatisfy(v ->
                        assertThat(v).contains("order-service: container ports").contains("http/TCP/8080"));
    }

    @Test
    void aMissingProbeIsCaught(@TempDir Path copy) {
        Repository.copyOfDeploy(copy);
        Repository.replaceIn(copy.resolve("k8s/base/stream-service.yaml"), "startupProbe:", "startupProbeGone:");
        // the unknown field itself is the schema test's business; here the probe is simply absent
        Cluster cluster = Cluster.of(Kustomize.render(copy.resolve("k8s/overlays/dev")).stream()
                .map(KubernetesConsistencyTest::withoutGoneProbe)
                .toList());

        assertThat(KubernetesChecks.check(cluster, configs(), false)).contains("stream-service: no startupProbe");
    }

    @Test
    void aProbeOnTheWrongPortIsCaught(@TempDir Path copy) {
        Repository.copyOfDeploy(copy);
        Repository.replaceIn(
                copy.resolve("k8s/base/notification-service.yaml"),
                "path: /actuator/health/readiness\n              port: management",
                "path: /actuator/health/readiness\n              port: http");

        assertThat(KubernetesChecks.check(render(copy.resolve("k8s"), "overlays/dev"), configs(), false))
                .contains("notification-service: readinessProbe is not on the management port 9182");
    }

    @Test
    void aGrpcServiceWithoutAGrpcHealthProbeIsCaught(@TempDir Path copy) {
        Repository.copyOfDeploy(copy);
        Repository.replaceIn(
                copy.resolve("k8s/base/order-service.yaml"),
                "readinessProbe:\n            grpc:\n              port: 9091",
                "readinessProbe:\n            httpGet:\n              path: /actuator/health/readiness\n"
                        + "              port: management");

        assertThat(KubernetesChecks.check(render(copy.resolve("k8s"), "overlays/dev"), configs(), false))
                .contains("order-service: no gRPC health probe on gRPC port 9091");
    }

    @Test
    void aLoopbackCallNeedsAContainerOfThePodListeningThere(@TempDir Path copy) {
        Repository.copyOfDeploy(copy);
        // the gateway's OTLP exporter calls the sidecar on the pod's loopback; without the sidecar's port, nothing
        // answers there
        Repository.replaceIn(
                copy.resolve("k8s/components/otel-sidecar/sidecar.yaml"), "containerPort: 4318", "containerPort: 4319");

        assertThat(KubernetesChecks.check(render(copy.resolve("k8s"), "overlays/dev"), configs(), false))
                .contains("gateway-service: MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT calls localhost:4318,"
                        + " which no Service port leads to a pod port");
    }

    @Test
    void aVariableNoServiceReadsIsCaught(@TempDir Path copy) {
        Repository.copyOfDeploy(copy);
        Repository.replaceIn(
                copy.resolve("k8s/base/order-service.yaml"), "RABBITMQ_HOST: rabbitmq", "RABBIT_HOST: rabbitmq");

        assertThat(KubernetesChecks.check(render(copy.resolve("k8s"), "overlays/dev"), configs(), false))
                .contains("order-service: sets RABBIT_HOST, which order-service never reads");
    }

    @Test
    void anAddressToAWrongPortIsCaught(@TempDir Path copy) {
        Repository.copyOfDeploy(copy);
        Repository.replaceIn(
                copy.resolve("k8s/base/gateway-service.yaml"),
                "STREAM_SERVICE_URLS: http://stream-service:8083",
                "STREAM_SERVICE_URLS: http://stream-service:8084");

        assertThat(KubernetesChecks.check(render(copy.resolve("k8s"), "overlays/dev"), configs(), false))
                .anySatisfy(v -> assertThat(v).contains("STREAM_SERVICE_URLS calls stream-service:8084"));
    }

    @Test
    void aWritableRootFilesystemOrARootUserIsCaught(@TempDir Path copy) {
        Repository.copyOfDeploy(copy);
        Path file = copy.resolve("k8s/base/gateway-service.yaml");
        Repository.replaceIn(file, "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false");
        Repository.replaceIn(file, "runAsUser: 10001", "runAsUser: 0");

        assertThat(KubernetesChecks.check(render(copy.resolve("k8s"), "overlays/dev"), configs(), false))
                .contains(
                        "gateway-service: the root filesystem is writable",
                        "gateway-service: no numeric non-root runAsUser (0)");
    }

    @Test
    void aGracePeriodShorterThanALongPollIsCaught(@TempDir Path copy) {
        Repository.copyOfDeploy(copy);
        Repository.replaceIn(
                copy.resolve("k8s/base/order-service.yaml"),
                "terminationGracePeriodSeconds: 45",
                "terminationGracePeriodSeconds: 20");

        assertThat(KubernetesChecks.check(render(copy.resolve("k8s"), "overlays/dev"), configs(), false))
                .anySatisfy(v -> assertThat(v).startsWith("order-service: terminationGracePeriodSeconds 20"));
    }

    @Test
    void aPolicyAdmittingACallerWithoutACallIsCaught(@TempDir Path copy) {
        Repository.copyOfDeploy(copy);
        Repository.replaceIn(
                copy.resolve("k8s/base/network-policies.yaml"),
                "    # GetOrder enrichment over gRPC\n    - from:\n        - podSelector:\n            matchLabels:\n"
                        + "              app.kubernetes.io/name: notification-service",
                "    # GetOrder enrichment over gRPC\n    - from:\n        - podSelector:\n            matchLabels:\n"
                        + "              app.kubernetes.io/name: stream-service");

        assertThat(NetworkPolicyChecks.check(render(copy.resolve("k8s"), "overlays/dev"), configs()))
                .contains(
                        "admitted, but no configuration makes this call: stream-service -> order-service:9091",
                        "configured, but no NetworkPolicy admits it: notification-service -> order-service:9091");
    }

    @Test
    void aPolicyOpenToEveryoneOtherThanTheEdgeIsCaught(@TempDir Path copy) {
        Repository.copyOfDeploy(copy);
        Repository.replaceIn(
                copy.resolve("k8s/overlays/dev/infra/network-policies.yaml"),
                "  ingress:\n    - from:\n        - podSelector:\n            matchLabels:\n"
                        + "              app.kubernetes.io/name: gateway-service\n      ports:\n        - port: 6379",
                "  ingress:\n    - ports:\n        - port: 6379");

        assertThat(NetworkPolicyChecks.check(render(copy.resolve("k8s"), "overlays/dev"), configs()))
                .contains("NetworkPolicy/redis lets anyone reach redis; only the gateway is the edge");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> withoutGoneProbe(Map<String, Object> object) {
        for (Map<String, Object> container : Maps.maps(object, "spec", "template", "spec", "containers")) {
            container.remove("startupProbeGone");
        }
        return object;
    }
}
