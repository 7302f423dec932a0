package dev.protocollab.gateway.tls;

import dev.protocollab.gateway.GatewayProperties;
import dev.protocollab.gateway.abuse.EdgeGuard;
import dev.protocollab.gateway.transport.ServerTransport;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.server.reactive.HttpHandler;

/**
 * The listeners beside Spring Boot's own cleartext server (HTTP/1.1 + h2c): TLS with ALPN on TCP and
 * HTTP/3 on UDP. Reactor Netty serves h1/h2 or h3 per server, never both, so each is its own server,
 * and all of them call the same {@link HttpHandler}: same routes, filters, security and error handling.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(name = "gateway.tls.enabled", matchIfMissing = true)
class TlsConfiguration {

    @Bean
    TlsFiles tlsFiles(GatewayProperties properties) {
        GatewayProperties.Tls tls = properties.tls();
        if (tls.certificate() != null && tls.privateKey() != null) {
            return new TlsFiles(tls.certificate(), tls.privateKey(), null);
        }
        return DevelopmentCertificates.ensure(tls.generatedDirectory());
    }

    @Bean
    TlsServer tlsServer(
            ObjectProvider<HttpHandler> httpHandler,
            TlsFiles files,
            GatewayProperties properties,
            ServerTransport transport,
            EdgeGuard guard) {
        return new TlsServer(httpHandler, files, properties, transport, guard);
    }

    @Bean
    @ConditionalOnBooleanProperty(name = "gateway.http3.enabled", matchIfMissing = true)
    Http3Server http3Server(
            ObjectProvider<HttpHandler> httpHandler,
            TlsFiles files,
            GatewayProperties properties,
            TlsServer tls,
            ServerTransport transport) {
        return new Http3Server(httpHandler, files, properties, tls, transport);
    }

    @Bean
    @ConditionalOnBooleanProperty(name = "gateway.http3.enabled", matchIfMissing = true)
    AltSvcFilter altSvcFilter(Http3Server http3, GatewayProperties properties) {
        return new AltSvcFilter(http3, properties.http3().altSvcMaxAge());
    }
}
