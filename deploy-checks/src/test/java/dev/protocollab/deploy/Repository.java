package dev.protocollab.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/** Paths in the repository, and YAML as plain maps (merge keys resolved, as docker compose does). */
final class Repository {

    /** Surefire runs in the module directory; the repository is its parent. */
    static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    static final Path DEPLOY = ROOT.resolve("deploy");
    static final Path COMPOSE = DEPLOY.resolve("compose");
    static final Path K8S = DEPLOY.resolve("k8s");
    static final Path DOCKERFILE = DEPLOY.resolve("docker/Dockerfile");

    /** The services that are deployed, by module name (also their image, compose and kubernetes name). */
    static final List<String> SERVICES =
            List.of("order-service", "notification-service", "stream-service", "gateway-service");

    private Repository() {}

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Map<String, Object>> yamlDocuments(String text) {
        List<Map<String, Object>> documents = new ArrayList<>();
        for (Object document : yaml().loadAll(text)) {
            if (document != null) {
                documents.add(Maps.asMap(document, "document"));
            }
        }
        return documents;
    }

    static Map<String, Object> yamlDocument(Path file) {
        List<Map<String, Object>> documents = yamlDocuments(read(file));
        if (documents.size() != 1) {
            throw new IllegalStateException(file + " holds " + documents.size() + " YAML documents, not one");
        }
        return documents.getFirst();
    }

    private static Yaml yaml() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        return new Yaml(options);
    }

    /** A copy of deploy/ in a temporary directory, for tests that break it on purpose. */
    static Path copyOfDeploy(Path target) {
        try (var files = Files.walk(DEPLOY)) {
            for (Path source : (Iterable<Path>) files::iterator) {
                Path copy = target.resolve(DEPLOY.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(source, copy);
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void replaceIn(Path file, String text, String replacement) {
        String content = read(file);
        if (!content.contains(text)) {
            throw new IllegalArgumentException(file + " does not contain " + text);
        }
        try {
            Files.writeString(file, content.replace(text, replacement));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
