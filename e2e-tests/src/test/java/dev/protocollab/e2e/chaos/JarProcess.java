package dev.protocollab.e2e.chaos;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A service jar run as a process, configured by environment as {@code bin/suite} does. The suite package's
 * {@code ServiceProcess} does the same but cannot be built from outside its package; once it can, this
 * class goes.
 */
final class JarProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    private final String name;
    private final Path jar;
    private final Map<String, String> environment;
    private final int managementPort;
    private final Path log;
    private Process process;

    JarProcess(String module, String name, Map<String, String> environment, int managementPort) {
        Path root =
                Path.of(System.getProperty("suite.root", "..")).toAbsolutePath().normalize();
        String version = System.getProperty("suite.version", "0.1.0-SNAPSHOT");
        this.name = name;
        this.jar =
                snapshot(root, module, root.resolve(module).resolve("target").resolve(module + "-" + version + ".jar"));
        this.environment = Map.copyOf(environment);
        this.managementPort = managementPort;
        this.log = root.resolve("e2e-tests/target/chaos-logs").resolve(name + ".log");
    }

    /**
     * A private copy of the jar, taken once per test JVM: a build that repackages the module while this
     * process runs (a shared working tree, or a developer's loop) would otherwise pull classes out from
     * under it, and a class loaded late fails with NoClassDefFoundError, which looks like a service bug.
     */
    private static synchronized Path snapshot(Path root, String module, Path built) {
        Path copy = root.resolve("e2e-tests/target/chaos-jars")
                .resolve(Long.toString(ProcessHandle.current().pid()))
                .resolve(module + ".jar");
        if (Files.isRegularFile(copy)) {
            return copy;
        }
        if (!Files.isRegularFile(built)) {
            throw new IllegalStateException(built + " is missing: package the services first");
        }
        try {
            Files.createDirectories(copy.getParent());
            Path partial = Files.createTempFile(copy.getParent(), module, ".part");
            Files.copy(built, partial, StandardCopyOption.REPLACE_EXISTING);
            Files.move(partial, copy, StandardCopyOption.ATOMIC_MOVE);
            return copy;
        } catch (IOException e) {
            throw new IllegalStateException("cannot copy " + built, e);
        }
    }

    synchronized JarProcess start() {
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder(List.of(
                    ProcessHandle.current().info().command().orElse("java"),
                    "-Xms32m",
                    "-Xmx256m",
                    "-XX:TieredStopAtLevel=1",
                    "-jar",
                    jar.toString()));
            builder.environment().putAll(environment);
            process = builder.redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + name, e);
        }
        return this;
    }

    JarProcess awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
            }
            if (ready()) {
                return this;
            }
            try {
                process.waitFor(250, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException(name + " was not ready within " + timeout + "; see " + log);
    }

    private boolean ready() {
        try {
            return HTTP.send(
                                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort
                                                    + "/actuator/health/readiness"))
                                            .timeout(Duration.ofSeconds(2))
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .statusCode()
                    == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** SIGKILL, as a crash. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
