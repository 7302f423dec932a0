package dev.protocollab.gateway.routing;

import dev.protocollab.gateway.GatewayProperties;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.ReactiveDiscoveryClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;

/**
 * Where each {@code lb://} service runs: the instance lists under {@code gateway.upstreams}, one
 * comma-separated environment variable per service (e.g. {@code NOTIFICATION_SERVICE_URLS=
 * http://localhost:8082,http://localhost:8182}). Spring Cloud LoadBalancer round-robins over them; in
 * kubernetes each list is one Service DNS name and kube-proxy spreads the connections. Instances that
 * just refused a connection are left out for a while ({@link OutlierDetection}).
 */
@Component
class ConfiguredInstances implements ReactiveDiscoveryClient {

    private final Map<String, List<ServiceInstance>> instances;
    private final OutlierDetection outliers;

    ConfiguredInstances(GatewayProperties properties, OutlierDetection outliers) {
        this.outliers = outliers;
        this.instances = properties.upstreams().entrySet().stream()
                .collect(java.util.stream.Collectors.toUnmodifiableMap(
                        Map.Entry::getKey, entry -> instances(entry.getKey(), entry.getValue())));
    }

    private static List<ServiceInstance> instances(String service, List<URI> uris) {
        return uris.stream()
                .map(uri -> (ServiceInstance) new DefaultServiceInstance(
                        service + "@" + uri.getHost() + ":" + uri.getPort(),
                        service,
                        uri.getHost(),
                        uri.getPort(),
                        "https".equals(uri.getScheme())))
                .toList();
    }

    @Override
    public String description() {
        return "Instances configured under gateway.upstreams";
    }

    @Override
    public Flux<ServiceInstance> getInstances(String serviceId) {
        return Flux.fromIterable(outliers.healthy(instances.getOrDefault(serviceId, List.of())));
    }

    @Override
    public Flux<String> getServices() {
        return Flux.fromIterable(instances.keySet());
    }
}
