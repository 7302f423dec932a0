package dev.protocollab.deploy;

import dev.protocollab.deploy.Cluster.Call;
import dev.protocollab.deploy.Cluster.ContainerPort;
import dev.protocollab.deploy.Cluster.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The rendered manifests against what each service actually listens on and reads (its application.yml):
 * ports, probes, environment, addresses, hardening, shutdown, scaling. Each method returns violations, so
 * the negative tests can show that a broken copy is caught.
 */
final class KubernetesChecks {

    /** The longest a request may legitimately wait (long polls cap ?wait= at 30 s). */
    static final int LONGEST_REQUEST_SECONDS = 30;

    private KubernetesChecks() {}

    static List<String> check(Cluster cluster, Map<String, ServiceConfig> configs, boolean production) {
        List<String> violations = new ArrayList<>();
        for (ServiceConfig config : configs.values()) {
            Workload workload = cluster.workloads().get(config.name());
            if (workload == null || !"Deployment".equals(workload.kind())) {
                violations.add(config.name() + ": no Deployment");
                continue;
            }
            violations.addAll(ports(workload, config));
            violations.addAll(probes(workload, config));
            violations.addAll(hardening(workload));
            violations.addAll(shutdown(workload));
            violations.addAll(environment(cluster, workload, config));
            violations.addAll(scaling(cluster, workload, production));
        }
        violations.addAll(services(cluster));
        return violations;
    }

    static List<String> ports(Workload workload, ServiceConfig config) {
        List<String> violations = new ArrayList<>();
        Set<String> expected = new TreeSet<>();
        expected.add("http/TCP/" + config.http().number());
        expected.add("management/TCP/" + config.management().number());
        config.grpc().ifPresent(p -> expected.add("grpc/TCP/" + p.number()));
        config.tls().ifPresent(p -> {
            expected.add("https/TCP/" + p.number());
            expected.add("h3/UDP/" + p.number());
        });
        Set<String> actual = workload.ports().stream()
                .map(p -> p.name() + "/" + p.protocol() + "/" + p.number())
                .collect(Collectors.toCollection(TreeSet::new));
        if (!actual.equals(expected)) {
            violations.add(workload.name() + ": container ports " + actual + ", but " + config.name()
                    + "'s application.yml listens on " + expected);
        }
        Object annotated =
                Maps.get(workload.object(), "spec", "template", "metadata", "annotations", "prometheus.io/port");
        if (!String.valueOf(config.management().number()).equals(String.valueOf(annotated))) {
            violations.add(workload.name() + ": prometheus.io/port " + annotated + " is not the management port "
                    + config.management().number());
        }
        return violations;
    }

    static List<String> probes(Workload workload, ServiceConfig config) {
        List<String> violations = new ArrayList<>();
        Map<String, Object> container = workload.container(workload.name());
        int management = config.management().number();
        Map<String, String> expectedPath = Map.of(
                "startupProbe", "/actuator/health/liveness",
                "livenessProbe", "/actuator/health/liveness",
                "readinessProbe", "/actuator/health/readiness");
        boolean grpcProbed = false;
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            Map<String, Object> definition = Maps.map(container, probe);
            if (definition.isEmpty()) {
                violations.add(workload.name() + ": no " + probe);
                continue;
            }
            if (definition.containsKey("httpGet")) {
                Optional<ContainerPort> port = workload.port(Maps.get(definition, "httpGet", "port"));
                if (port.isEmpty() || port.get().number() != management) {
                    violations.add(workload.name() + ": " + probe + " is not on the management port " + management);
                }
                if (!expectedPath.get(probe).equals(Maps.string(definition, "httpGet", "path"))) {
                    violations.add(workload.name() + ": " + probe + " asks "
                            + Maps.string(definition, "httpGet", "path") + ", not " + expectedPath.get(probe));
                }
            } else if (definition.containsKey("grpc")) {
                Object port = Maps.get(definition, "grpc", "port");
                if (config.grpc().isEmpty()
                        || !String.valueOf(config.grpc().get().number()).equals(String.valueOf(port))) {
                    violations.add(workload.name() + ": " + probe + " checks gRPC health on " + port + ", which is not "
                            + config.name() + "'s gRPC port");
                } else {
                    grpcProbed = true;
                }
            } else {
                violations.add(workload.name() + ": " + probe + " is neither an HTTP probe of the management port"
                        + " nor a gRPC health probe");
            }
        }
        if (config.grpc().isPresent() && !grpcProbed) {
            violations.add(workload.name() + ": no gRPC health probe on gRPC port "
                    + config.grpc().get().number());
        }
        return violations;
    }

    static List<String> hardening(Workload workload) {
        List<String> violations = new ArrayList<>();
        Map<String, Object> pod = Maps.map(workload.podSpec(), "securityContext");
        Map<String, Object> container = workload.container(workload.name());
        Map<String, Object> security = Maps.map(container, "securityContext");
        if (!Boolean.TRUE.equals(pod.get("runAsNonRoot")) && !Boolean.TRUE.equals(security.get("runAsNonRoot"))) {
            violations.add(workload.name() + ": runAsNonRoot is not set");
        }
        Object user = security.getOrDefault("runAsUser", pod.get("runAsUser"));
        if (!(user instanceof Number number) || number.intValue() == 0) {
            violations.add(workload.name() + ": no numeric non-root runAsUser (" + user + ")");
        }
        if (!Boolean.TRUE.equals(security.get("readOnlyRootFilesystem"))) {
            violations.add(workload.name() + ": the root filesystem is writable");
        }
        if (!Boolean.FALSE.equals(security.get("allowPrivilegeEscalation"))) {
            violations.add(workload.name() + ": allowPrivilegeEscalation is not false");
        }
        if (!Maps.list(security, "capabilities", "drop").contains("ALL")) {
            violations.add(workload.name() + ": capabilities are not dropped");
        }
        Optional<String> tmpVolume = Maps.maps(container, "volumeMounts").stream()
                .filter(m -> "/tmp".equals(m.get("mountPath")))
                .map(m -> Maps.string(m, "name"))
                .findFirst();
        boolean tmpIsEmptyDir = tmpVolume.isPresent()
                && Maps.maps(workload.podSpec(), "volumes").stream()
                        .anyMatch(v -> tmpVolume.get().equals(v.get("name")) && v.containsKey("emptyDir"));
        if (!tmpIsEmptyDir) {
            violations.add(workload.name() + ": /tmp is not a writable emptyDir (the root filesystem is read-only)");
        }
        Map<String, Object> resources = Maps.map(container, "resources");
        for (String required : List.of("requests.cpu", "requests.memory", "limits.memory")) {
            String[] path = required.split("\\.");
            if (Maps.get(resources, path) == null) {
                violations.add(workload.name() + ": no resources." + required);
            }
        }
        return violations;
    }

    static List<String> shutdown(Workload workload) {
        List<String> violations = new ArrayList<>();
        List<Object> preStop =
                Maps.list(workload.container(workload.name()), "lifecycle", "preStop", "exec", "command");
        int preStopSeconds = preStop.size() == 2 && "sleep".equals(preStop.get(0))
                ? Integer.parseInt(String.valueOf(preStop.get(1)))
                : -1;
        if (preStopSeconds < 0) {
            violations.add(workload.name() + ": no preStop sleep (endpoints must drop the pod before SIGTERM)");
        }
        Object grace = workload.podSpec().get("terminationGracePeriodSeconds");
        int needed = Math.max(preStopSeconds, 0) + LONGEST_REQUEST_SECONDS;
        if (!(grace instanceof Number number) || number.intValue() <= needed) {
            violations.add(workload.name() + ": terminationGracePeriodSeconds " + grace
                    + " does not cover preStop plus a " + LONGEST_REQUEST_SECONDS + " s long poll (" + needed + " s)");
        }
        return violations;
    }

    static List<String> environment(Cluster cluster, Workload workload, ServiceConfig config) {
        List<String> violations = new ArrayList<>();
        for (String variable : cluster.environment(workload).keySet()) {
            if (!config.reads(variable)) {
                violations.add(workload.name() + ": sets " + variable + ", which " + config.name() + " never reads");
            }
        }
        for (Call call : cluster.calls(workload, config.defaults())) {
            if (cluster.services().containsKey(call.host())
                    && cluster.services().get(call.host()).externalName() != null) {
                continue;
            }
            if (call.target() == null || call.targetPort() == null) {
                violations.add(workload.name() + ": " + call.variable() + " calls " + call.host() + ":" + call.port()
                        + ", which no Service port leads to a pod port");
            }
        }
        return violations;
    }

    static List<String> scaling(Cluster cluster, Workload workload, boolean production) {
        List<String> violations = new ArrayList<>();
        Object replicas = Maps.get(workload.object(), "spec", "replicas");
        boolean autoscaled = cluster.ofKind("HorizontalPodAutoscaler").stream()
                .anyMatch(h -> workload.name().equals(Maps.string(h, "spec", "scaleTargetRef", "name")));
        boolean budgeted = cluster.ofKind("PodDisruptionBudget").stream()
                .anyMatch(p -> workload.selectedBy(Maps.map(p, "spec", "selector", "matchLabels")));
        if (!budgeted) {
            violations.add(workload.name() + ": no PodDisruptionBudget");
        }
        if (production) {
            if (!(replicas instanceof Number n) || n.intValue() < 2) {
                violations.add(workload.name() + ": " + replicas + " replicas in production");
            }
            if (!autoscaled) {
                violations.add(workload.name() + ": no HorizontalPodAutoscaler in production");
            }
            if (Maps.map(workload.podSpec(), "affinity", "podAntiAffinity").isEmpty()) {
                violations.add(workload.name() + ": no pod anti-affinity in production");
            }
        } else if (!Integer.valueOf(1).equals(replicas)) {
            violations.add(workload.name() + ": " + replicas + " replicas in dev (one expected)");
        }
        String account = Maps.string(workload.podSpec(), "serviceAccountName");
        if (account == null || cluster.find("ServiceAccount", account).isEmpty()) {
            violations.add(workload.name() + ": runs as ServiceAccount " + account + ", which is not defined");
        }
        return violations;
    }

    /** Every Service selects pods and every one of its ports leads to a port those pods have. */
    static List<String> services(Cluster cluster) {
        List<String> violations = new ArrayList<>();
        for (Cluster.Service service : cluster.services().values()) {
            if (service.externalName() != null) {
                continue;
            }
            List<Workload> selected = cluster.workloads().values().stream()
                    .filter(w -> w.selectedBy(service.selector()))
                    .toList();
            if (selected.isEmpty()) {
                violations.add("Service/" + service.name() + " selects no pods");
            }
            for (Cluster.ServicePort port : service.ports()) {
                for (Workload workload : selected) {
                    Optional<ContainerPort> target = workload.port(port.targetPort());
                    if (target.isEmpty() || !target.get().protocol().equals(port.protocol())) {
                        violations.add("Service/" + service.name() + " port " + port.port() + "/" + port.protocol()
                                + " targets " + port.targetPort() + ", which " + workload.name() + " does not expose");
                    }
                }
            }
        }
        return violations;
    }
}
