package dev.protocollab.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Renders a kustomization with {@code kubectl kustomize}, the same code path as {@code kubectl apply -k}.
 * kubectl must be on the PATH (.ci/run installs it when missing); nothing is downloaded here.
 */
final class Kustomize {

    /** Every kustomization a user applies: the two overlays and the Gateway API alternative. */
    static final List<String> ENTRY_POINTS = List.of("overlays/dev", "overlays/prod", "gateway-api");

    private Kustomize() {}

    static List<Map<String, Object>> render(Path kustomization) {
        return Repository.yamlDocuments(renderText(kustomization));
    }

    static String renderText(Path kustomization) {
        Path kubectl = kubectl();
        try {
            Path output = Files.createTempFile("kustomize", ".yaml");
            Path errors = Files.createTempFile("kustomize", ".err");
            Process process = new ProcessBuilder(kubectl.toString(), "kustomize", kustomization.toString())
                    .redirectOutput(output.toFile())
                    .redirectError(errors.toFile())
                    .start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("kubectl kustomize " + kustomization + " took over 60 s");
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            String error = Files.readString(errors, StandardCharsets.UTF_8);
            Files.delete(output);
            Files.delete(errors);
            if (process.exitValue() != 0) {
                throw new KustomizeFailed(kustomization + ": " + error.strip());
            }
            return text;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + kubectl, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Path kubectl() {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .map(directory -> Path.of(directory, "kubectl"))
                .filter(Files::isExecutable)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(
                        "kubectl is not on the PATH: deploy-checks renders deploy/k8s with `kubectl kustomize`"
                                + " (.ci/run installs it; locally: apt-get install kubectl, or any kubectl >= 1.27)"));
    }

    static final class KustomizeFailed extends RuntimeException {
        KustomizeFailed(String message) {
            super(message);
        }
    }
}
