package dev.protocollab.gateway.transport;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.PropertySource;
import org.springframework.core.env.Environment;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.http.server.reactive.HttpHandler;
import reactor.netty.resources.LoopResources;

/**
 * Connection establishment, event loops, Nagle and keep-alive made configurable ({@code gateway.transport},
 * environment names in transport.properties), and visible: Reactor Netty's connection and stream gauges
 * in {@code /actuator/prometheus}, the sockets as they really are in {@code /actuator/info}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(TransportProperties.class)
@PropertySource("classpath:transport.properties")
class TransportConfiguration {

    @Bean
    Connections connections() {
        return new Connections();
    }

    @Bean
    ServerTransport serverTransport(
            TransportProperties properties, Connections connections, ReactorResourceFactory resources) {
        return new ServerTransport(properties, connections, resources);
    }

    @Bean
    UpstreamTransport upstreamTransport(TransportProperties properties, Connections connections) {
        return new UpstreamTransport(properties, connections);
    }

    /**
     * The event loops every listener runs on (Spring Boot's cleartext and management servers, the TLS and
     * HTTP/3 listeners). Without acceptor or worker counts this is what Boot would make itself: Reactor
     * Netty's global loops. With them, the
     * gateway's own: {@code acceptorThreads} loops that only accept (none: the workers accept) and
     * {@code workerThreads} loops for the connections.
     */
    @Bean
    ReactorResourceFactory reactorResourceFactory(TransportProperties properties) {
        ReactorResourceFactory resources = new ReactorResourceFactory();
        TransportProperties.Server server = properties.server();
        if (server.ownEventLoops()) {
            resources.setUseGlobalResources(false);
            resources.setLoopResourcesSupplier(() -> LoopResources.create(
                    "gateway",
                    server.acceptorThreads() > 0 ? server.acceptorThreads() : -1,
                    server.workerThreads() > 0 ? server.workerThreads() : LoopResources.DEFAULT_IO_WORKER_COUNT,
                    true));
        }
        return resources;
    }

    @Bean
    ReusePortAcceptors reusePortAcceptors(
            ServerTransport transport, ObjectProvider<HttpHandler> httpHandler, Environment environment) {
        return new ReusePortAcceptors(transport, httpHandler, environment);
    }

    @Bean
    InfoContributor transportInfo(Connections connections) {
        return builder -> builder.withDetail("transport", connections.describe());
    }
}
