package dev.protocollab.deploy;

import dev.protocollab.deploy.Cluster.Call;
import dev.protocollab.deploy.Cluster.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Each NetworkPolicy admits exactly the callers that the configuration says call the pods it selects.
 * The expected edges are derived, not listed: every host:port in a workload's environment, resolved
 * through its Service to the pod port behind it. Beyond those, a policy may only open the edge itself
 * (the gateway, to anyone), management ports to the monitoring namespace, and an operator-run cluster to
 * its own members and its operator's namespace.
 */
final class NetworkPolicyChecks {

    static final String EDGE = "gateway-service";
    static final String MONITORING = "monitoring";
    static final Set<String> OPERATOR_NAMESPACES = Set.of("cnpg-system", "rabbitmq-system");

    private NetworkPolicyChecks() {}

    static List<String> check(Cluster cluster, Map<String, ServiceConfig> configs) {
        List<String> violations = new ArrayList<>();
        Set<String> expected = new TreeSet<>();
        for (Workload caller : cluster.workloads().values()) {
            Map<String, String> defaults = configs.containsKey(caller.name())
                    ? configs.get(caller.name()).defaults()
                    : Map.of();
            for (Call call : cluster.calls(caller, defaults)) {
                if (call.target() != null
                        && call.targetPort() != null
                        && !call.target().equals(EDGE)) {
                    expected.add(edge(call.caller(), call.target(), call.targetPort()));
                }
            }
        }
        Set<String> admitted = new TreeSet<>();
        Set<String> covered = new TreeSet<>();
        boolean defaultDeny = false;
        for (Map<String, Object> policy : cluster.ofKind("NetworkPolicy")) {
            String name = "NetworkPolicy/" + Maps.string(policy, "metadata", "name");
            Map<String, Object> podSelector = Maps.map(policy, "spec", "podSelector");
            List<Map<String, Object>> rules = Maps.maps(policy, "spec", "ingress");
            if (podSelector.isEmpty() || Maps.map(podSelector, "matchLabels").isEmpty()) {
                if (rules.isEmpty() && Maps.list(policy, "spec", "policyTypes").contains("Ingress")) {
                    defaultDeny = true;
                } else {
                    violations.add(name + " selects every pod but is not a default deny");
                }
                continue;
            }
            List<Workload> targets = cluster.workloads().values().stream()
                    .filter(w -> w.selectedBy(Maps.map(podSelector, "matchLabels")))
                    .toList();
            if (targets.isEmpty()) {
                violations.add(name + " selects no pods");
            }
            for (Workload target : targets) {
                covered.add(target.name());
                for (Map<String, Object> rule : rules) {
                    violations.addAll(rule(cluster, configs, name, target, rule, admitted));
                }
            }
        }
        if (!defaultDeny) {
            violations.add("no default-deny ingress NetworkPolicy");
        }
        for (Workload workload : cluster.workloads().values()) {
            if (!covered.contains(workload.name())) {
                violations.add(workload.name() + " is selected by no NetworkPolicy");
            }
        }
        Set<String> tooMany = new TreeSet<>(admitted);
        tooMany.removeAll(expected);
        Set<String> missing = new TreeSet<>(expected);
        missing.removeAll(admitted);
        tooMany.forEach(e -> violations.add("admitted, but no configuration makes this call: " + e));
        missing.forEach(e -> violations.add("configured, but no NetworkPolicy admits it: " + e));
        return violations;
    }

    private static List<String> rule(
            Cluster cluster,
            Map<String, ServiceConfig> configs,
            String policy,
            Workload target,
            Map<String, Object> rule,
            Set<String> admitted) {
        List<String> violations = new ArrayList<>();
        List<Integer> ports = Maps.maps(rule, "ports").stream()
                .map(p -> target.port(p.get("port"))
                        .map(Cluster.ContainerPort::number)
                        .orElse(-1))
                .toList();
        if (ports.contains(-1)) {
            violations.add(policy + " opens a port " + target.name() + " does not expose");
        }
        List<Map<String, Object>> from = Maps.maps(rule, "from");
        if (from.isEmpty()) {
            if (!target.name().equals(EDGE)) {
                violations.add(policy + " lets anyone reach " + target.name() + "; only the gateway is the edge");
            }
            return violations;
        }
        for (Map<String, Object> peer : from) {
            Map<String, Object> pods = Maps.map(peer, "podSelector", "matchLabels");
            Map<String, Object> namespaces = Maps.map(peer, "namespaceSelector", "matchLabels");
            if (!namespaces.isEmpty()) {
                String namespace = String.valueOf(namespaces.get("kubernetes.io/metadata.name"));
                boolean monitoring = namespace.equals(MONITORING)
                        && configs.containsKey(target.name())
                        && ports.equals(
                                List.of(configs.get(target.name()).management().number()));
                boolean operator = OPERATOR_NAMESPACES.contains(namespace) && !configs.containsKey(target.name());
                if (!monitoring && !operator) {
                    violations.add(
                            policy + " admits namespace " + namespace + " to " + target.name() + " ports " + ports);
                }
                continue;
            }
            for (Workload caller : cluster.workloads().values()) {
                if (!caller.selectedBy(pods)) {
                    continue;
                }
                if (caller.name().equals(target.name()) && !configs.containsKey(target.name())) {
                    continue; // an operator-run cluster's own members
                }
                for (int port : ports.isEmpty()
                        ? target.ports().stream()
                                .map(Cluster.ContainerPort::number)
                                .toList()
                        : ports) {
                    admitted.add(edge(caller.name(), target.name(), port));
                }
            }
        }
        return violations;
    }

    private static String edge(String caller, String target, int port) {
        return caller + " -> " + target + ":" + port;
    }
}
