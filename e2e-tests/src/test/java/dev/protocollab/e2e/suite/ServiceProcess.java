package dev.protocollab.e2e.suite;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One service of the suite running as its own operating-system process, started from the jar the build
 * produced, exactly as {@code bin/suite} runs it. Stopping sends SIGTERM (graceful shutdown); killing
 * sends SIGKILL, as a crash would.
 */
public final class ServiceProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    private final String name;
    private final Path jar;
    private final Map<String, String> arguments;
    private final Map<String, String> environment;
    private final int managementPort;
    private final Path log;
    private Process process;

    ServiceProcess(String name, Path jar, Map<String, String> arguments, int managementPort, Path logDirectory) {
        this(name, jar, arguments, Map.of(), managementPort, logDirectory);
    }

    /**
     * {@code environment} configures the service the way {@code bin/suite}, compose and kubernetes do (the
     * variables its application.yml reads); {@code arguments} are Spring properties for what only tests set.
     */
    ServiceProcess(
            String name,
            Path jar,
            Map<String, String> arguments,
            Map<String, String> environment,
            int managementPort,
            Path logDirectory) {
        this.name = name;
        this.jar = jar;
        this.arguments = new LinkedHashMap<>(arguments);
        this.environment = new LinkedHashMap<>(environment);
        this.managementPort = managementPort;
        this.log = logDirectory.resolve(name + ".log");
    }

    /**
     * A module's packaged jar run as {@code name}, configured only by {@code environment}, logging to
     * {@code logDirectory/name.log}: for tests outside this package that start their own processes.
     */
    public static ServiceProcess of(
            String module, String name, Map<String, String> environment, int managementPort, Path logDirectory) {
        return new ServiceProcess(name, jar(module), Map.of(), environment, managementPort, logDirectory);
    }

    /** The repository's root, where every module's {@code target/} is. */
    public static Path root() {
        return Path.of(System.getProperty("suite.root", "..")).toAbsolutePath().normalize();
    }

    /**
     * A private copy of the module's packaged jar, taken once per test JVM: a build that repackages the
     * module while a process runs from it (a shared working tree, or a developer's loop) would pull classes
     * out from under it, and a class loaded late then fails with NoClassDefFoundError, which looks like a
     * service bug.
     */
    static synchronized Path jar(String module) {
        String version = System.getProperty("suite.version", "0.1.0-SNAPSHOT");
        Path built = root().resolve(module).resolve("target").resolve(module + "-" + version + ".jar");
        Path copy = root().resolve("e2e-tests/target/jars")
                .resolve(Long.toString(ProcessHandle.current().pid()))
                .resolve(module + ".jar");
        if (Files.isRegularFile(copy)) {
            return copy;
        }
        if (!Files.isRegularFile(built)) {
            throw new IllegalStateException(built + " is missing: the e2e tests run after the services are packaged "
                    + "(./mvnw verify builds them in order)");
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

    public String name() {
        return name;
    }

    public int managementPort() {
        return managementPort;
    }

    public Path log() {
        return log;
    }

    public synchronized ServiceProcess start() {
        if (process != null && process.isAlive()) {
            return this;
        }
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Xms32m");
        command.add("-Xmx256m");
        command.add("-XX:TieredStopAtLevel=1"); // start fast; these processes are not benchmarked
        command.add("--sun-misc-unsafe-memory-access=allow");
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-jar");
        command.add(jar.toString());
        arguments.forEach((key, value) -> command.add("--" + key + "=" + value));
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().putAll(environment);
            process = builder.redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + name, e);
        }
        return this;
    }

    /** Waits for the readiness probe on the management port. */
    public ServiceProcess awaitReady(Duration timeout) {
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

    public boolean ready() {
        try {
            HttpResponse<Void> response = HTTP.send(
                    HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + managementPort + "/actuator/health/readiness"))
                            .timeout(Duration.ofSeconds(2))
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The operating-system process id, for tests that signal it themselves. */
    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL: no shutdown hooks, no graceful drain. */
    public void kill() {
        if (process != null) {
            process.destroyForcibly();
            waitForExit();
        }
    }

    /** SIGTERM: the service drains and shuts down gracefully. */
    public void stop() {
        if (process != null && process.isAlive()) {
            process.destroy();
            waitForExit();
        }
    }

    private void waitForExit() {
        try {
            if (!process.waitFor(45, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** A TCP port that was free a moment ago, for a process about to bind it. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
