package dev.protocollab.deploy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The compose files against what each service listens on and reads (its application.yml): build
 * arguments, environment variable names, the addresses in their values, health checks and start order,
 * the ports published to the host, and Prometheus' scrape targets.
 */
final class ComposeChecks {

    /** The standard ports of the infrastructure images, which the compose files do not change. */
    static final Map<String, Integer> INFRASTRUCTURE =
            Map.of("postgres", 5432, "rabbitmq", 5672, "redis", 6379, "otel-collector", 4318);

    private static final Pattern ADDRESS = Pattern.compile("//+([a-z0-9][a-z0-9.-]*):(\\d+)(/[a-z0-9_]*)?");
    private static final Pattern CREATE_DATABASE = Pattern.compile("CREATE DATABASE (\\w+)");

    private ComposeChecks() {}

    static List<String> check(Path compose, Map<String, ServiceConfig> configs) {
        List<String> violations = new ArrayList<>();
        Map<String, Map<String, Object>> services =
                ComposeFiles.services(compose, "infra.yml", "apps.yml", "observability.yml");
        Set<String> databases = new TreeSet<>();
        Matcher created = CREATE_DATABASE.matcher(Repository.read(compose.resolve("postgres/init.sql")));
        while (created.find()) {
            databases.add(created.group(1));
        }
        Map<String, List<String>> instances = new java.util.LinkedHashMap<>();
        for (var entry : services.entrySet()) {
            String name = entry.getKey();
            Map<String, Object> service = entry.getValue();
            String module = Maps.string(service, "build", "args", "SERVICE");
            if (module == null) {
                if (!name.equals("gateway-service") && service.containsKey("ports") && !isObservability(service)) {
                    violations.add(name + " is published to the host; only the gateway is");
                }
                continue;
            }
            ServiceConfig config = configs.get(module);
            if (config == null) {
                violations.add(name + " builds " + module + ", which is not a service of the suite");
                continue;
            }
            instances.computeIfAbsent(module, m -> new ArrayList<>()).add(name);
            String managementArg = Maps.string(service, "build", "args", "MANAGEMENT_PORT");
            if (!String.valueOf(config.management().number()).equals(managementArg)) {
                violations.add(name + ": MANAGEMENT_PORT " + managementArg + " (the image's health check) is not "
                        + module + "'s management port " + config.management().number());
            }
            if (!Maps.list(service, "healthcheck", "test").contains("healthcheck")) {
                violations.add(name + ": no health check");
            }
            Map<String, Object> environment = Maps.map(service, "environment");
            for (var variable : environment.entrySet()) {
                if (!config.reads(variable.getKey())) {
                    violations.add(name + ": sets " + variable.getKey() + ", which " + module + " never reads");
                }
                String value = ComposeFiles.interpolate(String.valueOf(variable.getValue()));
                violations.addAll(addresses(name, variable.getKey(), value, services, configs, databases));
                if (variable.getKey().endsWith("_HOST")) {
                    String port = config.defaults().get(variable.getKey().replaceAll("_HOST$", "_PORT"));
                    violations.addAll(addresses(
                            name, variable.getKey(), "//" + value + ":" + port, services, configs, databases));
                }
            }
            for (var dependency : Maps.map(service, "depends_on").entrySet()) {
                if (!"service_healthy"
                        .equals(Maps.string(Maps.asMap(dependency.getValue(), "depends_on"), "condition"))) {
                    violations.add(name + ": starts before " + dependency.getKey() + " is healthy");
                }
                if (!services.containsKey(dependency.getKey())
                        || Maps.map(services.get(dependency.getKey()), "healthcheck")
                                .isEmpty()) {
                    violations.add(name + ": depends on " + dependency.getKey() + ", which has no health check");
                }
            }
            violations.addAll(published(name, module, Maps.list(service, "ports"), config));
        }
        for (String module : configs.keySet()) {
            if (!instances.containsKey(module)) {
                violations.add(module + " is not in apps.yml");
            }
        }
        if (instances.getOrDefault("notification-service", List.of()).size() < 2) {
            violations.add("notification-service runs as one instance; the suite needs two");
        }
        violations.addAll(scrapeTargets(compose, instances, configs));
        return violations;
    }

    private static boolean isObservability(Map<String, Object> service) {
        return Maps.list(service, "profiles").contains("observability");
    }

    private static List<String> addresses(
            String name,
            String variable,
            String value,
            Map<String, Map<String, Object>> services,
            Map<String, ServiceConfig> configs,
            Set<String> databases) {
        List<String> violations = new ArrayList<>();
        Matcher matcher = ADDRESS.matcher(value);
        while (matcher.find()) {
            String host = matcher.group(1);
            int port = Integer.parseInt(matcher.group(2));
            Map<String, Object> target = services.get(host);
            if (target == null) {
                violations.add(name + ": " + variable + " calls " + host + ", which is not a compose service");
                continue;
            }
            String module = Maps.string(target, "build", "args", "SERVICE");
            Set<Integer> listening = module != null && configs.containsKey(module)
                    ? configs.get(module).tcpPorts()
                    : INFRASTRUCTURE.containsKey(host) ? Set.of(INFRASTRUCTURE.get(host)) : Set.of();
            if (!listening.contains(port)) {
                violations.add(name + ": " + variable + " calls " + host + ":" + port + ", but " + host + " listens on "
                        + listening);
            }
            if (value.startsWith("jdbc:postgresql:") && matcher.group(3) != null) {
                String database = matcher.group(3).substring(1);
                if (!databases.contains(database)) {
                    violations.add(name + ": " + variable + " names database " + database
                            + ", which postgres/init.sql does not create");
                }
            }
        }
        return violations;
    }

    private static List<String> published(String name, String module, List<Object> ports, ServiceConfig config) {
        if (!module.equals("gateway-service")) {
            return ports.isEmpty() ? List.of() : List.of(name + " is published to the host; only the gateway is");
        }
        Set<String> expected = new TreeSet<>();
        expected.add(config.http().number() + ":" + config.http().number() + "/tcp");
        config.tls().ifPresent(tls -> {
            expected.add(tls.number() + ":" + tls.number() + "/tcp");
            expected.add(tls.number() + ":" + tls.number() + "/udp");
        });
        Set<String> actual = new TreeSet<>();
        ports.forEach(p -> actual.add(String.valueOf(p).contains("/") ? String.valueOf(p) : p + "/tcp"));
        return actual.equals(expected)
                ? List.of()
                : List.of(name + " publishes " + actual + ", but the gateway listens on " + expected);
    }

    private static List<String> scrapeTargets(
            Path compose, Map<String, List<String>> instances, Map<String, ServiceConfig> configs) {
        List<String> violations = new ArrayList<>();
        Map<String, Object> prometheus = Repository.yamlDocument(compose.resolve("observability/prometheus.yml"));
        Set<String> targets = new TreeSet<>();
        for (Map<String, Object> job : Maps.maps(prometheus, "scrape_configs")) {
            for (Map<String, Object> group : Maps.maps(job, "static_configs")) {
                Maps.list(group, "targets").forEach(t -> targets.add(String.valueOf(t)));
            }
        }
        instances.forEach((module, names) -> {
            for (String name : names) {
                String target = name + ":" + configs.get(module).management().number();
                if (!targets.contains(target)) {
                    violations.add("Prometheus does not scrape " + target + " (" + module + "'s management port)");
                }
            }
        });
        return violations;
    }
}
