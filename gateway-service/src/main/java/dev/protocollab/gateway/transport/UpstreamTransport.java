package dev.protocollab.gateway.transport;

import io.netty.channel.ChannelOption;
import org.springframework.cloud.gateway.config.HttpClientCustomizer;
import reactor.netty.http.client.HttpClient;

/**
 * Applies {@code gateway.transport.upstream} to the gateway's routing client. Spring Cloud Gateway builds
 * one {@code HttpClient} bean through its customizers; the h2c gRPC routing filter derives its client
 * from that bean, so gRPC upstreams get the same socket options.
 */
final class UpstreamTransport implements HttpClientCustomizer {

    private final TransportProperties.Upstream settings;
    private final boolean metrics;
    private final Connections connections;

    UpstreamTransport(TransportProperties properties, Connections connections) {
        this.settings = properties.upstream();
        this.metrics = properties.metrics();
        this.connections = connections;
    }

    @Override
    public HttpClient customize(HttpClient client) {
        HttpClient customized = client.option(ChannelOption.TCP_NODELAY, settings.tcpNoDelay())
                .option(ChannelOption.SO_KEEPALIVE, settings.tcpKeepAlive())
                .keepAlive(settings.keepAlive())
                .doOnConnected(connection -> connections.upstream(connection.channel()));
        return metrics ? customized.metrics(true, UriTags::template) : customized;
    }
}
