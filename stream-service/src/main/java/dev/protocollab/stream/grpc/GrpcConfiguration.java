package dev.protocollab.stream.grpc;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.springframework.boot.grpc.server.autoconfigure.GrpcServerExecutorProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * In a WebFlux application Spring gRPC runs its own Netty gRPC server on {@code spring.grpc.server.port}
 * (there is no gRPC-over-WebFlux transport), separate from the Reactor Netty HTTP server. Its Netty event
 * loop only moves bytes; gRPC runs application callbacks (interceptors, service methods, {@code onReady})
 * on this executor: virtual threads, so the one place that waits (a token's first JWKS fetch) costs no
 * platform thread and never an event loop.
 */
@Configuration(proxyBeanMethods = false)
class GrpcConfiguration {

    @Bean(destroyMethod = "close")
    ExecutorService grpcCallbacks() {
        return Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("grpc-callback-", 0).factory());
    }

    @Bean
    GrpcServerExecutorProvider grpcServerExecutor(ExecutorService grpcCallbacks) {
        return () -> grpcCallbacks;
    }
}
