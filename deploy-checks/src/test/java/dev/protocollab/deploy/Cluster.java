package dev.protocollab.deploy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rendered objects of one kustomization as a small model of what would run: workloads (Deployments,
 * StatefulSets, and the pods the prod overlay's operators make for their custom resources), Services, and
 * the addresses each workload is configured to call.
 */
record Cluster(List<Map<String, Object>> objects, Map<String, Workload> workloads, Map<String, Service> services) {

    record ContainerPort(String name, int number, String protocol) {}

    record Workload(
            String name,
            String kind,
            Map<String, Object> podLabels,
            List<ContainerPort> ports,
            Map<String, Object> object) {

        Map<String, Object> podSpec() {
            return Maps.map(object, "spec", "template", "spec");
        }

        /** A port some container of the pod listens on, native sidecars (init containers) included. */
        Optional<Integer> podPort(int number) {
            List<Map<String, Object>> containers = new ArrayList<>(Maps.maps(podSpec(), "containers"));
            containers.addAll(Maps.maps(podSpec(), "initContainers"));
            return containers.stream()
                    .flatMap(container -> Maps.maps(container, "ports").stream())
                    .map(port -> ((Number) port.get("containerPort")).intValue())
                    .filter(listening -> listening == number)
                    .findFirst();
        }

        Map<String, Object> container(String name) {
            return Maps.maps(podSpec(), "containers").stream()
                    .filter(c -> name.equals(c.get("name")))
                    .findFirst()
                    .orElse(Map.of());
        }

        Optional<ContainerPort> port(Object nameOrNumber) {
            return ports.stream()
                    .filter(p -> String.valueOf(nameOrNumber).equals(p.name())
                            || String.valueOf(nameOrNumber).equals(String.valueOf(p.number())))
                    .findFirst();
        }

        boolean selectedBy(Map<String, Object> matchLabels) {
            return !matchLabels.isEmpty()
                    && matchLabels.entrySet().stream()
                            .allMatch(e ->
                                    String.valueOf(e.getValue()).equals(String.valueOf(podLabels.get(e.getKey()))));
        }
    }

    record ServicePort(String name, int port, Object targetPort, String protocol) {}

    record Service(String name, Map<String, Object> selector, List<ServicePort> ports, String externalName) {}

    /** An address a workload is configured to call, and where it leads. */
    record Call(String caller, String variable, String host, int port, String target, Integer targetPort) {}

    private static final Pattern ADDRESS =
            Pattern.compile("(?:[a-z][a-z0-9+.-]*:)*//+([a-z0-9][a-z0-9.-]*):(\\d+)(/[^,\\s]*)?");

    static Cluster of(List<Map<String, Object>> objects) {
        Map<String, Workload> workloads = new LinkedHashMap<>();
        Map<String, Service> services = new LinkedHashMap<>();
        for (Map<String, Object> object : objects) {
            String kind = Maps.string(object, "kind");
            String name = Maps.string(object, "metadata", "name");
            switch (kind) {
                case "Deployment", "StatefulSet" -> {
                    List<ContainerPort> ports = new ArrayList<>();
                    for (Map<String, Object> container : Maps.maps(object, "spec", "template", "spec", "containers")) {
                        for (Map<String, Object> port : Maps.maps(container, "ports")) {
                            ports.add(new ContainerPort(
                                    Maps.string(port, "name"),
                                    ((Number) port.get("containerPort")).intValue(),
                                    String.valueOf(port.getOrDefault("protocol", "TCP"))));
                        }
                    }
                    workloads.put(
                            name,
                            new Workload(
                                    name,
                                    kind,
                                    Maps.map(object, "spec", "template", "metadata", "labels"),
                                    ports,
                                    object));
                }
                case "Service" ->
                    services.put(
                            name,
                            new Service(
                                    name,
                                    Maps.map(object, "spec", "selector"),
                                    Maps.maps(object, "spec", "ports").stream()
                                            .map(p -> new ServicePort(
                                                    Maps.string(p, "name"),
                                                    ((Number) p.get("port")).intValue(),
                                                    p.getOrDefault("targetPort", p.get("port")),
                                                    String.valueOf(p.getOrDefault("protocol", "TCP"))))
                                            .toList(),
                                    Maps.string(object, "spec", "externalName")));
                // What the operators make of their custom resources, by their documented naming.
                case "Cluster" -> { // CloudNativePG: pods cnpg.io/cluster=<name>, Service <name>-rw
                    Map<String, Object> labels = Map.of("cnpg.io/cluster", name);
                    workloads.put(
                            name,
                            new Workload(
                                    name, kind, labels, List.of(new ContainerPort("postgresql", 5432, "TCP")), object));
                    services.put(
                            name + "-rw",
                            new Service(
                                    name + "-rw",
                                    labels,
                                    List.of(new ServicePort("postgres", 5432, 5432, "TCP")),
                                    null));
                }
                case "RabbitmqCluster" -> { // pods app.kubernetes.io/name=<name>, Service <name>
                    Map<String, Object> labels = Map.of("app.kubernetes.io/name", name);
                    workloads.put(
                            name,
                            new Workload(name, kind, labels, List.of(new ContainerPort("amqp", 5672, "TCP")), object));
                    services.put(
                            name, new Service(name, labels, List.of(new ServicePort("amqp", 5672, 5672, "TCP")), null));
                }
                default -> {}
            }
        }
        return new Cluster(objects, workloads, services);
    }

    List<Map<String, Object>> ofKind(String kind) {
        return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
    }

    Optional<Map<String, Object>> find(String kind, String name) {
        return ofKind(kind).stream()
                .filter(o -> name.equals(Maps.string(o, "metadata", "name")))
                .findFirst();
    }

    /** The environment of a workload's first container: literal env values and its ConfigMaps' entries. */
    Map<String, String> environment(Workload workload) {
        Map<String, String> environment = new LinkedHashMap<>();
        List<Map<String, Object>> containers = Maps.maps(workload.podSpec(), "containers");
        if (containers.isEmpty()) {
            return environment; // an operator-run cluster: its configuration is the operator's
        }
        Map<String, Object> container = containers.getFirst();
        for (Map<String, Object> source : Maps.maps(container, "envFrom")) {
            String configMap = Maps.string(source, "configMapRef", "name");
            if (configMap != null) {
                find("ConfigMap", configMap)
                        .ifPresent(c -> Maps.map(c, "data").forEach((k, v) -> environment.put(k, String.valueOf(v))));
            }
        }
        for (Map<String, Object> variable : Maps.maps(container, "env")) {
            environment.put(Maps.string(variable, "name"), Maps.string(variable, "value"));
        }
        return environment;
    }

    /**
     * Every in-cluster host:port in a workload's environment, resolved through Services to the workload
     * behind: URLs (scheme://host:port), and X_HOST variables with the port of X_PORT, which is taken from
     * the environment or else from the default the service's own configuration gives it ({@code defaults}).
     * Names with a dot are outside the cluster (origins, managed services) and not calls to check here.
     */
    List<Call> calls(Workload caller, Map<String, String> defaults) {
        List<Call> calls = new ArrayList<>();
        Map<String, String> environment = environment(caller);
        environment.forEach((variable, value) -> {
            if (value == null) {
                return;
            }
            if (variable.endsWith("_HOST") && !value.contains(".")) {
                String portVariable = variable.substring(0, variable.length() - 5) + "_PORT";
                String port = environment.getOrDefault(portVariable, defaults.get(portVariable));
                if (port != null) {
                    calls.add(resolve(caller, variable, value, Integer.parseInt(port)));
                }
                return;
            }
            Matcher matcher = ADDRESS.matcher(value);
            while (matcher.find()) {
                if (!matcher.group(1).contains(".")) {
                    calls.add(resolve(caller, variable, matcher.group(1), Integer.parseInt(matcher.group(2))));
                }
            }
        });
        return calls;
    }

    private Call resolve(Workload caller, String variable, String host, int port) {
        if (host.equals("localhost") || host.equals("127.0.0.1")) {
            // the pod's own loopback: only a container of the same pod (a sidecar) can answer there
            Integer listening = caller.podPort(port).orElse(null);
            return new Call(caller.name(), variable, host, port, listening == null ? null : caller.name(), listening);
        }
        Service service = services.get(host);
        String target = null;
        Integer targetPort = null;
        if (service != null) {
            Optional<ServicePort> servicePort =
                    service.ports().stream().filter(p -> p.port() == port).findFirst();
            Optional<Workload> workload = workloads.values().stream()
                    .filter(w -> w.selectedBy(service.selector()))
                    .findFirst();
            if (servicePort.isPresent() && workload.isPresent()) {
                target = workload.get().name();
                targetPort = workload.get()
                        .port(servicePort.get().targetPort())
                        .map(ContainerPort::number)
                        .orElse(null);
            }
        }
        return new Call(caller.name(), variable, host, port, target, targetPort);
    }
}
