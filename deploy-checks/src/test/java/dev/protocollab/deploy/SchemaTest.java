package dev.protocollab.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** Every kustomization renders and every object in it is valid; every compose file is valid Compose. */
class SchemaTest {

    static final List<String> KUSTOMIZATIONS = Kustomize.ENTRY_POINTS;
    static final List<String> COMPOSE_FILES = ComposeFiles.FILES;

    @ParameterizedTest
    @FieldSource("KUSTOMIZATIONS")
    void everyRenderedObjectIsValidKubernetes(String kustomization) {
        List<Map<String, Object>> objects = Kustomize.render(Repository.K8S.resolve(kustomization));

        assertThat(objects).isNotEmpty();
        assertThat(KubernetesSchema.validate(objects)).isEmpty();
    }

    @ParameterizedTest
    @FieldSource("COMPOSE_FILES")
    void everyComposeFileFollowsTheComposeSpecification(String file) {
        assertThat(ComposeFiles.validate(ComposeFiles.load(Repository.COMPOSE, file)))
                .isEmpty();
    }

    @Test
    void anUnknownFieldDeepInADeploymentIsRefused(@TempDir Path copy) {
        Repository.copyOfDeploy(copy);
        Repository.replaceIn(
                copy.resolve("k8s/base/order-service.yaml"),
                "readOnlyRootFilesystem: true",
                "readOnlyRootFilesytem: true");

        List<String> violations = KubernetesSchema.validate(Kustomize.render(copy.resolve("k8s/overlays/dev")));

        assertThat(violations)
                .singleElement()
                .asString()
                .contains("Deployment/order-service")
                .contains("securityContext")
                .contains("readOnlyRootFilesytem");
    }

    @Test
    void aStringWhereANumberBelongsIsRefused() {
        Map<String, Object> service = Map.of(
                "apiVersion",
                "v1",
                "kind",
                "Service",
                "metadata",
                Map.of("name", "s"),
                "spec",
                Map.of("ports", List.of(Map.of("name", "http", "port", "8081"))));

        assertThat(KubernetesSchema.validate(service))
                .singleElement()
                .asString()
                .contains("Service/s");
    }

    @Test
    void aMalformedQuantityIsRefused() {
        Map<String, Object> pod = Map.of(
                "apiVersion",
                "v1",
                "kind",
                "Pod",
                "metadata",
                Map.of("name", "p"),
                "spec",
                Map.of(
                        "containers",
                        List.of(Map.of(
                                "name", "c", "image", "i", "resources", Map.of("limits", Map.of("memory", "512MB"))))));

        assertThat(KubernetesSchema.validate(pod)).singleElement().asString().contains("512MB");
    }

    @Test
    void aMisspeltOperatorFieldIsRefused() {
        Map<String, Object> cluster = Map.of(
                "apiVersion",
                "rabbitmq.com/v1beta1",
                "kind",
                "RabbitmqCluster",
                "metadata",
                Map.of("name", "rabbitmq"),
                "spec",
                Map.of("replica", 3));

        assertThat(KubernetesSchema.validate(cluster))
                .singleElement()
                .asString()
                .contains("replica");
    }

    @Test
    void anUnknownKindIsRefused() {
        Map<String, Object> object =
                Map.of("apiVersion", "example.com/v1", "kind", "Widget", "metadata", Map.of("name", "w"));

        assertThat(KubernetesSchema.validate(object)).singleElement().asString().contains("Widget");
    }

    @Test
    void aMisspeltComposeKeyIsRefused(@TempDir Path copy) {
        Repository.copyOfDeploy(copy);
        Repository.replaceIn(copy.resolve("compose/apps.yml"), "depends_on:", "depend_on:");

        assertThat(ComposeFiles.validate(ComposeFiles.load(copy.resolve("compose"), "apps.yml")))
                .isNotEmpty();
    }
}
