package dev.protocollab.order.hostile;

import dev.protocollab.order.OrderServiceApplication;
import dev.protocollab.testsupport.TestJwtIssuer;
import dev.protocollab.testsupport.TestPostgres;
import dev.protocollab.testsupport.TestRabbit;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;

/**
 * order-service started for real (its own database, virtual host and token issuer, as {@code
 * IntegrationTest} gives) but outside Spring's test context, so a jqwik container can own it: jqwik's
 * engine does not run JUnit Jupiter extensions such as Spring's.
 */
final class RunningOrderService implements AutoCloseable {

    private final TestPostgres.Database database;
    private final TestRabbit.Broker broker;
    private final TestJwtIssuer issuer;
    private final ConfigurableApplicationContext context;
    private ManagedChannel channel;

    private RunningOrderService(
            TestPostgres.Database database,
            TestRabbit.Broker broker,
            TestJwtIssuer issuer,
            ConfigurableApplicationContext context) {
        this.database = database;
        this.broker = broker;
        this.issuer = issuer;
        this.context = context;
    }

    /** Starts order-service; {@code properties} ({@code key=value}) override its configuration. */
    static RunningOrderService start(String... properties) {
        TestPostgres.Database database = TestPostgres.newDatabase("order_service_hostile");
        TestRabbit.Broker broker = TestRabbit.newVirtualHost("order-service-hostile");
        TestJwtIssuer issuer = TestJwtIssuer.start();
        List<String> all = new ArrayList<>(List.of(
                "server.port=0",
                "spring.grpc.server.port=0",
                "management.server.port=0",
                "spring.datasource.url=" + database.jdbcUrl(),
                "spring.datasource.username=" + database.username(),
                "spring.datasource.password=" + database.password(),
                "spring.rabbitmq.host=" + broker.host(),
                "spring.rabbitmq.port=" + broker.port(),
                "spring.rabbitmq.username=" + broker.username(),
                "spring.rabbitmq.password=" + broker.password(),
                "spring.rabbitmq.virtual-host=" + broker.virtualHost(),
                "spring.datasource.hikari.maximum-pool-size=5",
                "spring.datasource.hikari.minimum-idle=1",
                "spring.security.oauth2.resourceserver.jwt.jwk-set-uri=" + issuer.jwksUri(),
                "orders.fulfilment.confirm-after=1h",
                "orders.fulfilment.ship-after=1h",
                "orders.fulfilment.deliver-after=1h"));
        all.addAll(List.of(properties));
        try {
            // as command-line arguments: they win over application.yml, as a test's properties do
            ConfigurableApplicationContext context = new SpringApplicationBuilder(OrderServiceApplication.class)
                    .run(all.stream().map(p -> "--" + p).toArray(String[]::new));
            return new RunningOrderService(database, broker, issuer, context);
        } catch (RuntimeException e) {
            issuer.close();
            broker.close();
            database.close();
            throw e;
        }
    }

    TestJwtIssuer issuer() {
        return issuer;
    }

    String token(String customer) {
        return issuer.token(customer);
    }

    int httpPort() {
        return Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + httpPort() + path);
    }

    synchronized ManagedChannel channel() {
        if (channel == null) {
            channel = ManagedChannelBuilder.forAddress(
                            "127.0.0.1",
                            context.getBean(GrpcServerLifecycle.class).getPort())
                    .usePlaintext()
                    .maxInboundMessageSize(16 * 1024 * 1024)
                    .build();
        }
        return channel;
    }

    <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    @Override
    public void close() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        context.close();
        issuer.close();
        broker.close();
        database.close();
    }
}
