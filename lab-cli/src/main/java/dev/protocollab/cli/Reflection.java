package dev.protocollab.cli;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.ManagedChannel;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/** What the server says it serves, through {@code grpc.reflection.v1} (so no .proto file is needed). */
final class Reflection {

    private final ManagedChannel channel;

    Reflection(ManagedChannel channel) {
        this.channel = channel;
    }

    List<String> services() {
        return ask(ServerReflectionRequest.newBuilder().setListServices("*").build())
                .getListServicesResponse()
                .getServiceList()
                .stream()
                .map(ServiceResponse::getName)
                .sorted()
                .toList();
    }

    /** {@code package.Service/Method} or {@code package.Service.Method}. */
    Descriptors.MethodDescriptor method(String target) {
        int split = target.contains("/") ? target.lastIndexOf('/') : target.lastIndexOf('.');
        if (split < 1) {
            throw new IllegalArgumentException("'" + target + "' is not SERVICE/METHOD");
        }
        String service = target.substring(0, split);
        String method = target.substring(split + 1);
        ServerReflectionResponse response = ask(ServerReflectionRequest.newBuilder()
                .setFileContainingSymbol(service)
                .build());
        if (response.hasErrorResponse()) {
            throw new IllegalArgumentException("the server does not know " + service + ": "
                    + response.getErrorResponse().getErrorMessage());
        }
        Map<String, FileDescriptorProto> files = new HashMap<>();
        for (ByteString bytes : response.getFileDescriptorResponse().getFileDescriptorProtoList()) {
            try {
                FileDescriptorProto file = FileDescriptorProto.parseFrom(bytes);
                files.put(file.getName(), file);
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalArgumentException("unreadable descriptor from the server", e);
            }
        }
        Map<String, Descriptors.FileDescriptor> built = new HashMap<>();
        for (String name : files.keySet()) {
            Descriptors.FileDescriptor file = build(name, files, built);
            Descriptors.ServiceDescriptor found =
                    file.findServiceByName(service.substring(service.lastIndexOf('.') + 1));
            if (found != null && found.getFullName().equals(service)) {
                Descriptors.MethodDescriptor descriptor = found.findMethodByName(method);
                if (descriptor == null) {
                    throw new IllegalArgumentException(service + " has no method " + method);
                }
                return descriptor;
            }
        }
        throw new IllegalArgumentException("the server does not describe " + service);
    }

    private static Descriptors.FileDescriptor build(
            String name, Map<String, FileDescriptorProto> files, Map<String, Descriptors.FileDescriptor> built) {
        Descriptors.FileDescriptor done = built.get(name);
        if (done != null) {
            return done;
        }
        FileDescriptorProto proto = files.get(name);
        if (proto == null) {
            throw new IllegalArgumentException("the server did not send " + name);
        }
        List<Descriptors.FileDescriptor> dependencies = new ArrayList<>();
        for (String dependency : proto.getDependencyList()) {
            dependencies.add(build(dependency, files, built));
        }
        try {
            Descriptors.FileDescriptor file = Descriptors.FileDescriptor.buildFrom(
                    proto, dependencies.toArray(Descriptors.FileDescriptor[]::new));
            built.put(name, file);
            return file;
        } catch (Descriptors.DescriptorValidationException e) {
            throw new IllegalArgumentException("invalid descriptor " + name + ": " + e.getMessage(), e);
        }
    }

    private ServerReflectionResponse ask(ServerReflectionRequest request) {
        CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse value) {
                        answer.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        answer.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        answer.completeExceptionally(new IllegalStateException("no reflection answer"));
                    }
                });
        requests.onNext(request);
        requests.onCompleted();
        try {
            return answer.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw e;
        }
    }
}
