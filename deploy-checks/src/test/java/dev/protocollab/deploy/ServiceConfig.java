package dev.protocollab.deploy;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one service listens on and which environment variables it reads, taken from its own
 * src/main/resources/application.yml: every {@code ${NAME:default}} placeholder is an environment variable
 * it reads, and the ports are the defaults of the placeholders behind server.port, management.server.port,
 * spring.grpc.server.port and (gateway) gateway.tls.port. Nothing here is a second, hand-kept list.
 */
record ServiceConfig(
        String name,
        Port http,
        Port management,
        Optional<Port> grpc,
        Optional<Port> tls,
        Set<String> environment,
        Map<String, String> defaults,
        Map<String, Object> yaml) {

    record Port(String variable, int number) {}

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)(?::([^}]*))?}");

    static ServiceConfig of(String service) {
        return parse(service, Repository.ROOT.resolve(service).resolve("src/main/resources/application.yml"));
    }

    static ServiceConfig parse(String service, Path applicationYml) {
        String text = Repository.read(applicationYml);
        Map<String, Object> yaml = Repository.yamlDocuments(text).getFirst();
        Set<String> environment = new TreeSet<>();
        Map<String, String> defaults = new TreeMap<>();
        Matcher matcher = PLACEHOLDER.matcher(text);
        while (matcher.find()) {
            environment.add(matcher.group(1));
            if (matcher.group(2) != null) {
                defaults.put(matcher.group(1), matcher.group(2));
            }
        }
        return new ServiceConfig(
                service,
                port(yaml, "server", "port").orElseThrow(() -> missing(service, "server.port")),
                port(yaml, "management", "server", "port")
                        .orElseThrow(() -> missing(service, "management.server.port")),
                port(yaml, "spring", "grpc", "server", "port"),
                port(yaml, "gateway", "tls", "port"),
                environment,
                defaults,
                yaml);
    }

    private static Optional<Port> port(Map<String, Object> yaml, String... path) {
        String value = Maps.string(yaml, path);
        if (value == null) {
            return Optional.empty();
        }
        Matcher matcher = PLACEHOLDER.matcher(value);
        if (matcher.matches()) {
            return Optional.of(new Port(matcher.group(1), Integer.parseInt(matcher.group(2))));
        }
        return Optional.of(new Port(null, Integer.parseInt(value)));
    }

    private static IllegalStateException missing(String service, String property) {
        return new IllegalStateException(service + "'s application.yml sets no " + property);
    }

    /** Every port the service listens on over TCP. */
    Set<Integer> tcpPorts() {
        Set<Integer> ports = new TreeSet<>(Set.of(http.number(), management.number()));
        grpc.ifPresent(p -> ports.add(p.number()));
        tls.ifPresent(p -> ports.add(p.number()));
        return ports;
    }

    /**
     * Whether the service reads the variable: a placeholder of its application.yml, or one of the Spring
     * Boot properties deploy/ sets through relaxed binding (each named here with the property it sets).
     */
    boolean reads(String variable) {
        return environment.contains(variable) || SPRING_PROPERTIES.contains(variable);
    }

    /**
     * SPRING_PROFILES_ACTIVE = spring.profiles.active; MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT =
     * management.opentelemetry.tracing.export.otlp.endpoint (spring-boot-opentelemetry 4.0 metadata);
     * MANAGEMENT_OTLP_METRICS_EXPORT_URL = management.otlp.metrics.export.url (the OTLP meter registry).
     */
    static final Set<String> SPRING_PROPERTIES = Set.of(
            "SPRING_PROFILES_ACTIVE",
            "MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT",
            "MANAGEMENT_OTLP_METRICS_EXPORT_URL");
}
