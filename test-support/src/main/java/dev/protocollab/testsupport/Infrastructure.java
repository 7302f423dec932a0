package dev.protocollab.testsupport;

import java.util.Locale;
import org.testcontainers.DockerClientFactory;

/**
 * Decides once per JVM where the real PostgreSQL, RabbitMQ and Redis for tests come from.
 *
 * <p>{@code TEST_INFRASTRUCTURE=containers} uses Testcontainers, {@code local} uses the services already
 * running at the addresses named by the {@code TEST_*} environment variables, and {@code auto} (the
 * default) uses containers when a Docker engine answers and the local services otherwise. Both modes
 * talk to the real thing; neither is a mock.
 */
public final class Infrastructure {

    public enum Mode {
        CONTAINERS,
        LOCAL
    }

    private static volatile Mode mode;

    private Infrastructure() {}

    public static Mode mode() {
        Mode current = mode;
        if (current == null) {
            synchronized (Infrastructure.class) {
                if (mode == null) {
                    mode = decide();
                }
                current = mode;
            }
        }
        return current;
    }

    private static Mode decide() {
        String requested = env("TEST_INFRASTRUCTURE", "auto").toLowerCase(Locale.ROOT);
        return switch (requested) {
            case "containers" -> Mode.CONTAINERS;
            case "local" -> Mode.LOCAL;
            case "auto" -> dockerAvailable() ? Mode.CONTAINERS : Mode.LOCAL;
            default ->
                throw new IllegalStateException(
                        "TEST_INFRASTRUCTURE must be auto, containers or local, not '" + requested + "'");
        };
    }

    private static boolean dockerAvailable() {
        // Without DOCKER_HOST or a local socket there is nothing to ask; skip Testcontainers' noisy probe.
        if (System.getenv("DOCKER_HOST") == null
                && !java.nio.file.Files.exists(java.nio.file.Path.of("/var/run/docker.sock"))
                && !java.nio.file.Files.exists(
                        java.nio.file.Path.of(System.getProperty("user.home"), ".testcontainers.properties"))) {
            return false;
        }
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    static String env(String name, String fallback) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            value = System.getProperty(name);
        }
        return value == null || value.isBlank() ? fallback : value;
    }

    /** A short random suffix that keeps names of concurrent test runs apart. */
    static String uniqueSuffix() {
        return Long.toString(System.nanoTime() ^ Double.doubleToLongBits(Math.random()), 36)
                .replace('-', 'x')
                .toLowerCase(Locale.ROOT);
    }
}
