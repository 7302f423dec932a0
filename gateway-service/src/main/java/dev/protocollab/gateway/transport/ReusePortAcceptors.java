package dev.protocollab.gateway.transport;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.Environment;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import reactor.core.Disposable;
import reactor.netty.http.server.HttpServer;

/**
 * {@code SO_REUSEPORT} multi-acceptor mode for the cleartext port, whose server Spring Boot binds: the
 * N-1 further listening sockets ({@link ServerTransport#moreAcceptors}) are bound here, after Boot's own.
 * The TLS listener binds its own the same way.
 */
final class ReusePortAcceptors implements SmartLifecycle {

    private final ServerTransport transport;
    private final ObjectProvider<HttpHandler> httpHandler;
    private final Environment environment;
    private volatile Disposable extra;
    private volatile boolean running;

    ReusePortAcceptors(ServerTransport transport, ObjectProvider<HttpHandler> httpHandler, Environment environment) {
        this.transport = transport;
        this.httpHandler = httpHandler;
        this.environment = environment;
    }

    @Override
    public synchronized void start() {
        running = true;
        HttpServer configured = transport.configured();
        if (configured == null) {
            return;
        }
        // the port Boot's server really bound (the configured one, or the one chosen for port 0)
        int port = environment.getRequiredProperty("local.server.port", Integer.class);
        extra = transport.moreAcceptors(
                configured.handle(new ReactorHttpHandlerAdapter(httpHandler.getObject())), port);
    }

    @Override
    public synchronized void stop() {
        running = false;
        if (extra != null) {
            extra.dispose();
            extra = null;
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** After Spring Boot's web server, whose port it shares; stopped before it. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 1000;
    }
}
