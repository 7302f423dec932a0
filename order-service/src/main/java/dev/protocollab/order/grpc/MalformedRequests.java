package dev.protocollab.order.grpc;

import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.grpc.server.service.GrpcServiceConfigurer;
import org.springframework.stereotype.Component;

/**
 * A request that is not valid protobuf (truncated, wrong wire types, strings that are not UTF-8) is the
 * client's mistake, so it must be answered {@code INVALID_ARGUMENT}. grpc-java answers {@code UNKNOWN}
 * ("Application error processing RPC"): the marshaller's exception escapes the call and the server closes
 * the stream itself, past every interceptor. So the request marshaller of every method is wrapped to hand
 * over {@code null} for bytes it cannot parse, and {@link MalformedRequestInterceptor} closes such a call
 * with {@code INVALID_ARGUMENT} before a service sees it. Each method keeps its descriptor, schema and
 * handler. Applied to every service Spring gRPC registers (the generated {@code bindService()} is final) by
 * decorating its {@link GrpcServiceConfigurer}.
 */
@Component
class MalformedRequests implements BeanPostProcessor {

    @Override
    public Object postProcessAfterInitialization(Object bean, String name) {
        if (bean instanceof GrpcServiceConfigurer configurer) {
            return (GrpcServiceConfigurer)
                    (service, factory) -> asInvalidArgument(configurer.configure(service, factory));
        }
        return bean;
    }

    static ServerServiceDefinition asInvalidArgument(ServerServiceDefinition service) {
        ServiceDescriptor original = service.getServiceDescriptor();
        List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
        for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
            methods.add(strict(method));
        }
        ServiceDescriptor.Builder descriptor =
                ServiceDescriptor.newBuilder(original.getName()).setSchemaDescriptor(original.getSchemaDescriptor());
        methods.forEach(method -> descriptor.addMethod(method.getMethodDescriptor()));
        ServerServiceDefinition.Builder strict = ServerServiceDefinition.builder(descriptor.build());
        methods.forEach(strict::addMethod);
        return strict.build();
    }

    private static <Q, R> ServerMethodDefinition<Q, R> strict(ServerMethodDefinition<Q, R> method) {
        MethodDescriptor<Q, R> descriptor = method.getMethodDescriptor();
        return ServerMethodDefinition.create(
                descriptor.toBuilder()
                        .setRequestMarshaller(new Strict<>(descriptor.getRequestMarshaller()))
                        .build(),
                method.getServerCallHandler());
    }

    private record Strict<Q>(MethodDescriptor.Marshaller<Q> delegate) implements MethodDescriptor.Marshaller<Q> {

        @Override
        public InputStream stream(Q value) {
            return delegate.stream(value);
        }

        @Override
        public Q parse(InputStream stream) {
            try {
                return delegate.parse(stream);
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.INTERNAL) {
                    throw e;
                }
                return null; // MalformedRequestInterceptor answers it
            }
        }
    }
}
