package dev.protocollab.gateway.tls;

import dev.protocollab.gateway.GatewayProperties;
import dev.protocollab.gateway.abuse.EdgeGuard;
import dev.protocollab.gateway.transport.ServerTransport;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import reactor.netty.DisposableServer;
import reactor.netty.http.Http2SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;

/**
 * The TLS listener: HTTP/1.1 and HTTP/2 chosen by ALPN, only the configured protocol versions (TLS 1.3
 * and 1.2 by default) and cipher suites, with the same header-size and idle limits as the cleartext port
 * and the same {@code gateway.transport.server} settings (backlog, event loops, SO_REUSEPORT, Nagle,
 * keep-alive).
 */
public final class TlsServer extends ExtraListener {

    private static final Logger log = LoggerFactory.getLogger(TlsServer.class);

    /** Looked up at start: the handler's filters (Alt-Svc among them) depend on these servers. */
    private final ObjectProvider<HttpHandler> httpHandler;

    private final TlsFiles files;
    private final GatewayProperties properties;
    private final ServerTransport transport;
    private final EdgeGuard guard;

    TlsServer(
            ObjectProvider<HttpHandler> httpHandler,
            TlsFiles files,
            GatewayProperties properties,
            ServerTransport transport,
            EdgeGuard guard) {
        super("TLS listener");
        this.httpHandler = httpHandler;
        this.files = files;
        this.properties = properties;
        this.transport = transport;
        this.guard = guard;
    }

    @Override
    DisposableServer bind() {
        GatewayProperties.Tls tls = properties.tls();
        GatewayProperties.Limits limits = properties.limits();
        Http2SslContextSpec ssl = Http2SslContextSpec.forServer(
                        files.certificateChain().toFile(), files.privateKey().toFile())
                .configure(builder -> builder.protocols(tls.protocols().toArray(String[]::new))
                        .ciphers(tls.ciphers()));
        // the per-address and HTTP/2 abuse limits of the cleartext port (gateway.abuse), sharing its state
        HttpServer configured = transport
                .apply(guard.guard(HttpServer.create()
                        .port(tls.port())
                        .protocol(HttpProtocol.HTTP11, HttpProtocol.H2)
                        .secure(spec -> spec.sslContext(ssl).handshakeTimeout(tls.handshakeTimeout()))
                        .httpRequestDecoder(decoder -> decoder.maxHeaderSize(
                                (int) limits.maxHeaderSize().toBytes()))
                        .http2Settings(h2 ->
                                h2.maxHeaderListSize(limits.maxHeaderSize().toBytes()))
                        .idleTimeout(limits.idleTimeout())))
                .handle(new ReactorHttpHandlerAdapter(httpHandler.getObject()));
        DisposableServer server = configured.bindNow(Duration.ofSeconds(10));
        stopsWithServer(transport.moreAcceptors(configured, server.port()));
        log.info("TLS (HTTP/1.1, h2 by ALPN; {}) on port {}", tls.protocols(), server.port());
        return server;
    }

    /** Starts and stops with Spring Boot's own web server. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 1024;
    }

    public TlsFiles files() {
        return files;
    }
}
