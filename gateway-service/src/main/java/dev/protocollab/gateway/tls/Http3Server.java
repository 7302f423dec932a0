package dev.protocollab.gateway.tls;

import dev.protocollab.gateway.GatewayProperties;
import dev.protocollab.gateway.transport.ServerTransport;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import reactor.netty.DisposableServer;
import reactor.netty.http.Http3SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;

/**
 * HTTP/3 over QUIC (Netty's native QUIC, BoringSSL inside) on the UDP twin of the TLS port. QUIC always
 * runs TLS 1.3; the certificate is the TLS listener's. 0-RTT is off unless {@code gateway.http3.early-data}
 * (docs/adr/0303 says what it does and does not give). Of {@code gateway.transport.server} only the worker
 * loops apply: one UDP socket has no accept queue, no acceptor and no TCP options.
 */
public final class Http3Server extends ExtraListener {

    private static final Logger log = LoggerFactory.getLogger(Http3Server.class);

    /** Looked up at start: the handler's filters (Alt-Svc among them) depend on these servers. */
    private final ObjectProvider<HttpHandler> httpHandler;

    private final TlsFiles files;
    private final GatewayProperties properties;
    private final TlsServer tls;
    private final ServerTransport transport;

    Http3Server(
            ObjectProvider<HttpHandler> httpHandler,
            TlsFiles files,
            GatewayProperties properties,
            TlsServer tls,
            ServerTransport transport) {
        super("HTTP/3 listener");
        this.httpHandler = httpHandler;
        this.files = files;
        this.properties = properties;
        this.tls = tls;
        this.transport = transport;
    }

    @Override
    DisposableServer bind() {
        GatewayProperties.Http3 http3 = properties.http3();
        int port = http3.port() == 0 ? tls.port() : http3.port();
        Http3SslContextSpec ssl = Http3SslContextSpec.forServer(
                        files.privateKey().toFile(),
                        null,
                        files.certificateChain().toFile())
                .configure(builder -> builder.earlyData(http3.earlyData()));
        DisposableServer server = transport
                .quic(HttpServer.create()
                        .port(port)
                        .protocol(HttpProtocol.HTTP3)
                        .secure(spec -> spec.sslContext(ssl))
                        .http3Settings(settings -> settings.idleTimeout(http3.idleTimeout())
                                .maxData(10_000_000)
                                .maxStreamDataBidirectionalLocal(1_000_000)
                                .maxStreamDataBidirectionalRemote(1_000_000)
                                .maxStreamsBidirectional(100)
                                .maxFieldSectionSize(
                                        properties.limits().maxHeaderSize().toBytes()))
                        .idleTimeout(properties.limits().idleTimeout()))
                .handle(new ReactorHttpHandlerAdapter(httpHandler.getObject()))
                .bindNow(Duration.ofSeconds(10));
        log.info("HTTP/3 (QUIC) on UDP port {}", server.port());
        return server;
    }

    /** After the TLS listener, whose port this one shares. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 1023;
    }
}
