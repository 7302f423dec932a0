package dev.protocollab.e2e.suite;

import dev.protocollab.testsupport.TestPostgres;
import dev.protocollab.testsupport.TestRabbit;
import dev.protocollab.testsupport.TestRedis;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The whole suite as {@code bin/suite} runs it, one operating-system process per instance: the gateway,
 * two order-service and two notification-service instances, and stream-service, against real
 * PostgreSQL, RabbitMQ and Redis (own databases and virtual host per run). Each process is configured
 * only through the environment variables its application.yml reads, the same ones bin/suite, compose and
 * kubernetes set, so a renamed variable breaks this suite too. Tokens come from the gateway's issuer.
 *
 * <p>Started once per test JVM ({@link #shared()}) and stopped when the JVM ends: starting six JVMs
 * costs about a minute on two cores, the scenarios only seconds each.
 */
public final class FullSuite implements AutoCloseable {

    private static final Duration STARTUP = Duration.ofSeconds(240);
    private static final tools.jackson.databind.json.JsonMapper JSON =
            tools.jackson.databind.json.JsonMapper.builder().build();
    private static FullSuite shared;

    private final Path work = ServiceProcess.root().resolve("e2e-tests/target/suite");
    private final TestPostgres.Database orders = TestPostgres.newDatabase("e2e_orders");
    private final TestPostgres.Database notifications = TestPostgres.newDatabase("e2e_notifications");
    private final TestRabbit.Broker broker = TestRabbit.newVirtualHost("e2e");
    private final TestRedis.Server redis = TestRedis.server();
    private final TraceCollector traces = new TraceCollector();

    private final Gateway gateway = new Gateway(
            ServiceProcess.freePort(), ServiceProcess.freePort(), ServiceProcess.freePort(), work.resolve("gateway"));
    private final List<Instance> orderServices = new ArrayList<>();
    private final List<Instance> notificationServices = new ArrayList<>();
    private Instance streamService;
    private ServiceProcess gatewayProcess;

    /** One service instance: its process and ports ({@code grpc} is 0 where it has none). */
    public record Instance(ServiceProcess process, int http, int grpc, int management) {

        public URI baseUri() {
            return URI.create("http://127.0.0.1:" + http);
        }

        public URI managementUri() {
            return URI.create("http://127.0.0.1:" + management);
        }

        /** This instance's {@code /actuator/prometheus} text. */
        public String prometheus() throws java.io.IOException, InterruptedException {
            return Prometheus.scrape(managementUri());
        }
    }

    /** The gateway's listeners and the folder where it writes its development CA and signing key. */
    public record Gateway(int http, int https, int management, Path state) {

        public URI httpUri() {
            return URI.create("http://localhost:" + http);
        }

        public URI httpsUri() {
            return URI.create("https://localhost:" + https);
        }

        public Path caCertificate() {
            return state.resolve("certs/ca.pem");
        }

        /** The gateway's {@code /actuator/prometheus} text. */
        public String prometheus() throws java.io.IOException, InterruptedException {
            return Prometheus.scrape(URI.create("http://127.0.0.1:" + management));
        }
    }

    public static synchronized FullSuite shared() {
        if (shared == null) {
            FullSuite suite = new FullSuite();
            try {
                suite.start();
            } catch (RuntimeException | Error e) {
                suite.close();
                throw e;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(suite::close, "stop the e2e suite"));
            shared = suite;
        }
        return shared;
    }

    /** A development JWT for {@code subject} from the gateway's issuer ({@code POST /auth/token}). */
    public String token(String subject) {
        java.net.http.HttpResponse<String> response = post("/auth/token", "{\"subject\":\"" + subject + "\"}");
        if (response.statusCode() != 200) {
            throw new IllegalStateException("POST /auth/token answered " + response.statusCode());
        }
        return JSON.readTree(response.body()).path("access_token").asString();
    }

    /**
     * Places a one-line order through the gateway as the token's user and returns its id; {@code headers}
     * are extra name/value pairs (a {@code traceparent}, say).
     */
    public String placeOrder(String token, String sku, String... headers) {
        String[] all = new String[headers.length + 2];
        all[0] = "Authorization";
        all[1] = "Bearer " + token;
        System.arraycopy(headers, 0, all, 2, headers.length);
        java.net.http.HttpResponse<String> response = post(
                "/api/orders",
                "{\"items\":[{\"sku\":\"" + sku + "\",\"quantity\":1,\"unitPrice\":\"1.00\"}],\"currency\":\"EUR\"}",
                all);
        if (response.statusCode() != 201) {
            throw new IllegalStateException(
                    "POST /api/orders answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body()).path("id").asString();
    }

    private java.net.http.HttpResponse<String> post(String path, String json, String... headers) {
        try (java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build()) {
            java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(
                            gateway.httpUri().resolve(path))
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(json));
            for (int i = 0; i < headers.length; i += 2) {
                request.header(headers[i], headers[i + 1]);
            }
            return http.send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public ServiceProcess gatewayProcess() {
        return gatewayProcess;
    }

    public Gateway gateway() {
        return gateway;
    }

    public List<Instance> orderServices() {
        return orderServices;
    }

    public List<Instance> notificationServices() {
        return notificationServices;
    }

    public Instance streamService() {
        return streamService;
    }

    public TraceCollector traces() {
        return traces;
    }

    public TestRabbit.Broker broker() {
        return broker;
    }

    private void start() {
        List<ServiceProcess> processes = new ArrayList<>();
        for (int i = 1; i <= 2; i++) {
            Instance order = instance("order-service", i, true, (http, grpc, management) -> {
                Map<String, String> env = infrastructure();
                env.put("ORDER_HTTP_PORT", Integer.toString(http));
                env.put("ORDER_GRPC_PORT", Integer.toString(grpc));
                env.put("ORDER_MANAGEMENT_PORT", Integer.toString(management));
                env.putAll(database("ORDERS", orders));
                return env;
            });
            orderServices.add(order);
        }
        for (int i = 1; i <= 2; i++) {
            Instance notification = instance("notification-service", i, false, (http, grpc, management) -> {
                Map<String, String> env = infrastructure();
                env.put("NOTIFICATION_HTTP_PORT", Integer.toString(http));
                env.put("NOTIFICATION_MANAGEMENT_PORT", Integer.toString(management));
                env.putAll(database("NOTIFICATIONS", notifications));
                env.put("OAUTH2_TOKEN_URI", gatewayUri("/oauth2/token"));
                env.put(
                        "ORDER_GRPC_ADDRESS",
                        "static://127.0.0.1:" + orderServices.getFirst().grpc());
                // the tests' webhook receivers listen on loopback, which only configuration may allow
                env.put("NOTIFICATION_WEBHOOK_ALLOW_LOOPBACK", "true");
                env.put("NOTIFICATION_WEBHOOK_ALLOWED_SCHEMES", "http,https");
                env.put("NOTIFICATION_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1,localhost");
                return env;
            });
            notificationServices.add(notification);
        }
        streamService = instance("stream-service", 1, true, (http, grpc, management) -> {
            Map<String, String> env = infrastructure();
            env.put("STREAM_HTTP_PORT", Integer.toString(http));
            env.put("STREAM_GRPC_PORT", Integer.toString(grpc));
            env.put("STREAM_MANAGEMENT_PORT", Integer.toString(management));
            env.put("STREAM_ALLOWED_ORIGINS", gateway.httpUri() + "," + gateway.httpsUri());
            return env;
        });
        Map<String, String> env = infrastructure();
        env.put("GATEWAY_HTTP_PORT", Integer.toString(gateway.http()));
        env.put("GATEWAY_HTTPS_PORT", Integer.toString(gateway.https()));
        env.put("GATEWAY_MANAGEMENT_PORT", Integer.toString(gateway.management()));
        env.put("GATEWAY_CERT_DIR", gateway.state().resolve("certs").toString());
        env.put("GATEWAY_KEY_DIR", gateway.state().resolve("keys").toString());
        env.put("ORDER_SERVICE_URLS", urls(orderServices, Instance::http));
        env.put("ORDER_GRPC_URLS", urls(orderServices, Instance::grpc));
        env.put("NOTIFICATION_SERVICE_URLS", urls(notificationServices, Instance::http));
        env.put("STREAM_SERVICE_URLS", urls(List.of(streamService), Instance::http));
        env.put("STREAM_GRPC_URLS", urls(List.of(streamService), Instance::grpc));
        gatewayProcess = new ServiceProcess(
                "gateway-service", ServiceProcess.jar("gateway-service"), Map.of(), env, gateway.management(), work);

        processes.add(gatewayProcess.start());
        orderServices.forEach(i -> processes.add(i.process().start()));
        notificationServices.forEach(i -> processes.add(i.process().start()));
        processes.add(streamService.process().start());
        processes.forEach(process -> process.awaitReady(STARTUP));
    }

    @FunctionalInterface
    private interface Environment {
        Map<String, String> of(int http, int grpc, int management);
    }

    private Instance instance(String module, int index, boolean grpc, Environment environment) {
        int http = ServiceProcess.freePort();
        int grpcPort = grpc ? ServiceProcess.freePort() : 0;
        int management = ServiceProcess.freePort();
        ServiceProcess process = new ServiceProcess(
                module + "-" + index,
                ServiceProcess.jar(module),
                Map.of(),
                environment.of(http, grpcPort, management),
                management,
                work);
        return new Instance(process, http, grpcPort, management);
    }

    /** What every service needs: the broker, the cache, the gateway's JWKS, the demo profile. */
    private Map<String, String> infrastructure() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SPRING_PROFILES_ACTIVE", "demo");
        env.put("RABBITMQ_HOST", broker.host());
        env.put("RABBITMQ_PORT", Integer.toString(broker.port()));
        env.put("RABBITMQ_USER", broker.username());
        env.put("RABBITMQ_PASSWORD", broker.password());
        env.put("RABBITMQ_VHOST", broker.virtualHost());
        env.put("REDIS_HOST", redis.host());
        env.put("REDIS_PORT", Integer.toString(redis.port()));
        env.put("JWKS_URI", gatewayUri("/.well-known/jwks.json"));
        env.put("NOTIFICATION_CLIENT_SECRET", "e2e-notification-secret");
        // spans go to the tests' own OTLP receiver, as they would go to a collector in compose or k8s
        env.put(
                "MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT",
                traces.endpoint().toString());
        env.put("MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_SCHEDULE_DELAY", "500ms");
        return env;
    }

    /** Small pools: four services share one PostgreSQL (100 connections) with every other test run. */
    private static Map<String, String> database(String prefix, TestPostgres.Database database) {
        return Map.of(
                prefix + "_DB_URL", database.jdbcUrl(),
                prefix + "_DB_USER", database.username(),
                prefix + "_DB_PASSWORD", database.password(),
                prefix + "_DB_POOL_SIZE", "5");
    }

    private String gatewayUri(String path) {
        return "http://127.0.0.1:" + gateway.http() + path;
    }

    private static String urls(List<Instance> instances, java.util.function.ToIntFunction<Instance> port) {
        return instances.stream()
                .map(instance -> "http://127.0.0.1:" + port.applyAsInt(instance))
                .collect(Collectors.joining(","));
    }

    @Override
    public void close() {
        List<ServiceProcess> all = new ArrayList<>();
        all.add(gatewayProcess);
        orderServices.forEach(i -> all.add(i.process()));
        notificationServices.forEach(i -> all.add(i.process()));
        if (streamService != null) {
            all.add(streamService.process());
        }
        // the end of the test run: no need to drain (graceful shutdown waits for open streams)
        all.stream().filter(p -> p != null).parallel().forEach(ServiceProcess::kill);
        traces.close();
        broker.close();
        orders.close();
        notifications.close();
    }
}
