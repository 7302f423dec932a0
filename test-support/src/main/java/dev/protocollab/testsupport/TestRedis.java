package dev.protocollab.testsupport;

import org.testcontainers.containers.GenericContainer;

/**
 * A real Redis for tests. Redis keeps the gateway's rate-limit buckets only; tests keep apart by using
 * their own keys (each test signs in as its own user), so one server serves the whole JVM.
 */
public final class TestRedis {

    public record Server(String host, int port) {}

    private static GenericContainer<?> container;

    private TestRedis() {}

    public static synchronized Server server() {
        if (Infrastructure.mode() == Infrastructure.Mode.CONTAINERS) {
            if (container == null) {
                container = new GenericContainer<>("redis:7-alpine").withExposedPorts(6379);
                container.start();
            }
            return new Server(container.getHost(), container.getMappedPort(6379));
        }
        return new Server(
                Infrastructure.env("TEST_REDIS_HOST", "127.0.0.1"),
                Integer.parseInt(Infrastructure.env("TEST_REDIS_PORT", "6379")));
    }
}
