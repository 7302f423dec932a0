package dev.protocollab.e2e.suite;

import dev.protocollab.testsupport.TestJwtIssuer;
import dev.protocollab.testsupport.TestPostgres;
import dev.protocollab.testsupport.TestRabbit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The suite as separate processes against real PostgreSQL and RabbitMQ, each run in its own databases
 * and virtual host. Built from the jars of this very build ({@code <module>/target/<module>-<version>.jar}).
 */
public final class Suite implements AutoCloseable {

    private static final Duration STARTUP = Duration.ofSeconds(180);

    private final Path root =
            Path.of(System.getProperty("suite.root", "..")).toAbsolutePath().normalize();
    private final String version = System.getProperty("suite.version", "0.1.0-SNAPSHOT");
    private final Path logs = root.resolve("e2e-tests/target/suite-logs");
    private final TestPostgres.Database ordersDatabase = TestPostgres.newDatabase("e2e_orders");
    private final TestRabbit.Broker broker = TestRabbit.newVirtualHost("e2e");
    private final TestJwtIssuer issuer = TestJwtIssuer.start();
    private final List<OrderService> orderServices = new ArrayList<>();

    /** The addresses a client needs to reach one order-service instance. */
    public record OrderService(ServiceProcess process, int httpPort, int grpcPort) {

        public String baseUrl() {
            return "http://127.0.0.1:" + httpPort;
        }
    }

    public TestJwtIssuer issuer() {
        return issuer;
    }

    public TestRabbit.Broker broker() {
        return broker;
    }

    public List<OrderService> orderServices() {
        return orderServices;
    }

    /** Starts {@code instances} order-service processes sharing one database and broker, in parallel. */
    public Suite withOrderServices(int instances, Map<String, String> settings) {
        for (int i = 1; i <= instances; i++) {
            int http = ServiceProcess.freePort();
            int grpc = ServiceProcess.freePort();
            int management = ServiceProcess.freePort();
            Map<String, String> arguments = new LinkedHashMap<>();
            arguments.put("server.port", Integer.toString(http));
            arguments.put("spring.grpc.server.port", Integer.toString(grpc));
            arguments.put("management.server.port", Integer.toString(management));
            arguments.put("spring.datasource.url", ordersDatabase.jdbcUrl());
            arguments.put("spring.datasource.username", ordersDatabase.username());
            arguments.put("spring.datasource.password", ordersDatabase.password());
            arguments.put("spring.datasource.hikari.maximum-pool-size", "5");
            arguments.putAll(brokerArguments());
            arguments.put(
                    "spring.security.oauth2.resourceserver.jwt.jwk-set-uri",
                    issuer.jwksUri().toString());
            arguments.putAll(settings);
            ServiceProcess process =
                    new ServiceProcess("order-service-" + i, jar("order-service"), arguments, management, logs);
            orderServices.add(new OrderService(process.start(), http, grpc));
        }
        orderServices.forEach(service -> service.process().awaitReady(STARTUP));
        return this;
    }

    private Map<String, String> brokerArguments() {
        return Map.of(
                "spring.rabbitmq.host", broker.host(),
                "spring.rabbitmq.port", Integer.toString(broker.port()),
                "spring.rabbitmq.username", broker.username(),
                "spring.rabbitmq.password", broker.password(),
                "spring.rabbitmq.virtual-host", broker.virtualHost());
    }

    private Path jar(String module) {
        Path jar = root.resolve(module).resolve("target").resolve(module + "-" + version + ".jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: the e2e tests run after the services are packaged "
                    + "(./mvnw verify builds them in order)");
        }
        return jar;
    }

    @Override
    public void close() {
        orderServices.forEach(service -> service.process().close());
        issuer.close();
        broker.close();
        ordersDatabase.close();
    }
}
