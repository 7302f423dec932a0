package dev.protocollab.gateway.tls;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.netty.DisposableServer;

/**
 * A Reactor Netty server the gateway runs beside Spring Boot's own (the TLS listener, the HTTP/3 one), started
 * and stopped with the application. Subclasses say how to bind it; the lifecycle is the same for both.
 */
public abstract class ExtraListener implements SmartLifecycle {

    private final String description;
    private volatile DisposableServer server;
    private final List<Disposable> alongside = new CopyOnWriteArrayList<>();

    ExtraListener(String description) {
        this.description = description;
    }

    /** Builds and binds the server. */
    abstract DisposableServer bind();

    /** Something bound with the server (more listening sockets) that stops before it. */
    final void stopsWithServer(Disposable companion) {
        alongside.add(companion);
    }

    @Override
    public final void start() {
        server = bind();
    }

    @Override
    public final void stop() {
        DisposableServer current = server;
        server = null;
        alongside.forEach(Disposable::dispose);
        alongside.clear();
        if (current != null) {
            current.disposeNow(Duration.ofSeconds(10));
        }
    }

    @Override
    public final boolean isRunning() {
        return server != null;
    }

    /** The bound port (the configured one, or the one the OS chose for port 0). */
    public int port() {
        DisposableServer current = server;
        if (current == null) {
            throw new IllegalStateException("the " + description + " is not running");
        }
        return current.port();
    }
}
