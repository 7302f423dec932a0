package dev.protocollab.gateway.transport;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the gateway's sockets behave, under {@code gateway.transport} (environment names in
 * transport.properties). Every default is what the gateway did before these settings existed, so
 * leaving them alone changes nothing; docs/patterns.md says what each one is for.
 */
@Validated
@ConfigurationProperties("gateway.transport")
public record TransportProperties(
        @Valid @DefaultValue Server server,
        @Valid @DefaultValue Upstream upstream,
        @DefaultValue("true") boolean metrics) {

    /**
     * Every listener: the cleartext one (Spring Boot's Netty server; the management server shares its event
     * loops), the TLS one, and of these, over QUIC, only the worker loops (docs/patterns.md says why).
     *
     * @param backlog the accept queue length passed to {@code listen(2)}; {@code 0} keeps Netty's default,
     *     the kernel's {@code net.core.somaxconn}
     * @param acceptorThreads event loops that only accept connections; {@code 0} lets the workers accept
     *     too (Reactor Netty's default)
     * @param workerThreads event loops that read, write and run the gateway's filters; {@code 0} keeps
     *     Reactor Netty's default, max(cores, 4)
     * @param reusePortAcceptors more than 1 binds that many listening sockets to the port with
     *     {@code SO_REUSEPORT} (Linux, epoll only): the kernel spreads new connections over them, each
     *     with its own accept queue and acceptor thread
     * @param tcpNoDelay {@code TCP_NODELAY} on accepted connections: true switches Nagle's algorithm off
     * @param tcpKeepAlive {@code SO_KEEPALIVE} probes on accepted connections
     * @param maxKeepAliveRequests HTTP/1.1 requests one connection may carry before the gateway closes it;
     *     {@code -1} is unlimited
     */
    public record Server(
            @Min(0) @DefaultValue("0") int backlog,
            @Min(0) @DefaultValue("0") int acceptorThreads,
            @Min(0) @DefaultValue("0") int workerThreads,
            @Min(1) @DefaultValue("1") int reusePortAcceptors,
            @DefaultValue("true") boolean tcpNoDelay,
            @DefaultValue("false") boolean tcpKeepAlive,
            @Min(-1) @DefaultValue("-1") int maxKeepAliveRequests) {

        boolean ownEventLoops() {
            return acceptorThreads > 0 || workerThreads > 0;
        }
    }

    /**
     * The gateway's client towards the services (the routing {@code HttpClient}, h2c gRPC included).
     * Idle upstream connections are closed after {@code spring.cloud.gateway.server.webflux.httpclient.pool.max-idle-time}.
     *
     * @param tcpNoDelay {@code TCP_NODELAY} on upstream connections
     * @param tcpKeepAlive {@code SO_KEEPALIVE} probes on upstream connections
     * @param keepAlive HTTP keep-alive: false closes each HTTP/1.1 upstream connection after its response
     */
    public record Upstream(
            @DefaultValue("true") boolean tcpNoDelay,
            @DefaultValue("false") boolean tcpKeepAlive,
            @DefaultValue("true") boolean keepAlive) {}
}
