package dev.protocollab.gateway.grpc;

import dev.protocollab.contracts.order.v1.OrderServiceGrpc;
import dev.protocollab.contracts.stream.v1.StreamServiceGrpc;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * gRPC server reflection for the whole edge. Reflection routed to one backend would describe only that
 * backend's services, so {@code grpcurl localhost:8080 list} would miss the others. Instead the gateway
 * runs a small gRPC server on a loopback port that knows the descriptors of every service it routes
 * (order.v1, stream.v1, grpc.health.v1) and answers {@code grpc.reflection.v1} and {@code v1alpha} for
 * them; the {@code grpc-reflection} route sends reflection calls there. It serves no other call: the
 * registered services are placeholders whose methods are never routed here.
 */
final class GatewayReflection implements AutoCloseable {

    private final Server server;

    @SuppressWarnings("deprecation") // v1alpha: older grpcurl and lab-cli versions still ask for it
    GatewayReflection() {
        this.server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new OrderServiceGrpc.OrderServiceImplBase() {})
                .addService(new StreamServiceGrpc.StreamServiceImplBase() {})
                .addService(new HealthStatusManager().getHealthService())
                .addService(ProtoReflectionServiceV1.newInstance())
                .addService(ProtoReflectionService.newInstance())
                .build();
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the gateway's reflection server", e);
        }
    }

    int port() {
        return server.getPort();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
