package dev.protocollab.cli;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.File;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code lab-cli grpc [flags] HOST:PORT list|SERVICE/METHOD}: all four gRPC call kinds with JSON
 * messages, like grpcurl. Requests come from {@code -d} (one JSON object, or several for client and bidi
 * streams; {@code -d @} reads them from standard input); each response is printed as JSON.
 */
final class GrpcCommand {

    static final String USAGE = """
            usage: lab-cli grpc [-plaintext | -cacert FILE | -insecure] [-H 'name: value']...
                                [-d JSON | -d @] [-max-time SECONDS] HOST:PORT (list | SERVICE/METHOD)
              -plaintext     no TLS (h2c)            -cacert FILE  trust this CA (TLS, ALPN h2)
              -insecure      TLS without verifying   -H            request metadata, repeatable
              -d             request JSON; several objects for client/bidi streams; @ = standard input
                             (read line by line as it comes, so a bidi stream can be driven live)
              -max-time      deadline for the call, in seconds""";

    private GrpcCommand() {}

    static int run(String[] args, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage() + "\n" + USAGE);
            return 2;
        }
        ManagedChannel channel = options.channel();
        try {
            Reflection reflection = new Reflection(channel);
            if (options.target().equals("list")) {
                reflection.services().forEach(out::println);
                return 0;
            }
            Descriptors.MethodDescriptor method = reflection.method(options.target());
            return call(channel, method, options, out, err);
        } catch (StatusRuntimeException e) {
            printError(e, err);
            return 1;
        } catch (IllegalArgumentException | InvalidProtocolBufferException e) {
            err.println("Error: " + e.getMessage());
            return 2;
        } finally {
            channel.shutdownNow();
        }
    }

    private static int call(
            ManagedChannel channel,
            Descriptors.MethodDescriptor method,
            Options options,
            PrintStream out,
            PrintStream err)
            throws InvalidProtocolBufferException {
        MethodDescriptor<DynamicMessage, DynamicMessage> descriptor =
                MethodDescriptor.<DynamicMessage, DynamicMessage>newBuilder()
                        .setType(type(method))
                        .setFullMethodName(MethodDescriptor.generateFullMethodName(
                                method.getService().getFullName(), method.getName()))
                        .setRequestMarshaller(new DynamicMarshaller(method.getInputType()))
                        .setResponseMarshaller(new DynamicMarshaller(method.getOutputType()))
                        .build();
        boolean live = options.fromStdin() && method.isClientStreaming();
        String data = live ? null : options.fromStdin() ? readAll(System.in) : options.data();
        List<DynamicMessage> requests = new ArrayList<>();
        for (String json : Json.objects(data)) {
            requests.add(parse(json, method));
        }
        if (requests.isEmpty() && !method.isClientStreaming()) {
            requests.add(DynamicMessage.getDefaultInstance(method.getInputType()));
        }
        CallOptions callOptions = options.maxTimeSeconds() > 0
                ? CallOptions.DEFAULT.withDeadlineAfter((long) (options.maxTimeSeconds() * 1000), TimeUnit.MILLISECONDS)
                : CallOptions.DEFAULT;
        ClientCall<DynamicMessage, DynamicMessage> call = ClientInterceptors.intercept(
                        channel, MetadataUtils.newAttachHeadersInterceptor(options.metadata()))
                .newCall(descriptor, callOptions);
        JsonFormat.Printer printer = JsonFormat.printer();
        CompletableFuture<Void> done = new CompletableFuture<>();
        StreamObserver<DynamicMessage> printing = new StreamObserver<>() {
            @Override
            public void onNext(DynamicMessage response) {
                try {
                    out.println(printer.print(response));
                    out.flush();
                } catch (InvalidProtocolBufferException e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                done.complete(null);
            }
        };
        if (method.isClientStreaming()) {
            StreamObserver<DynamicMessage> sender = method.isServerStreaming()
                    ? ClientCalls.asyncBidiStreamingCall(call, printing)
                    : ClientCalls.asyncClientStreamingCall(call, printing);
            if (live) {
                Thread.ofPlatform().daemon().start(() -> sendLines(System.in, method, sender, err));
            } else {
                requests.forEach(sender::onNext);
                sender.onCompleted();
            }
        } else if (method.isServerStreaming()) {
            ClientCalls.asyncServerStreamingCall(call, requests.getFirst(), printing);
        } else {
            ClientCalls.asyncUnaryCall(call, requests.getFirst(), printing);
        }
        try {
            done.join();
            return 0;
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof StatusRuntimeException status) {
                printError(status, err);
                return 1;
            }
            throw e;
        }
    }

    private static DynamicMessage parse(String json, Descriptors.MethodDescriptor method)
            throws InvalidProtocolBufferException {
        DynamicMessage.Builder request = DynamicMessage.newBuilder(method.getInputType());
        JsonFormat.parser().merge(json, request);
        return request.build();
    }

    /** One JSON object per line from standard input, sent as it arrives; end of input half-closes. */
    private static void sendLines(
            InputStream in,
            Descriptors.MethodDescriptor method,
            StreamObserver<DynamicMessage> sender,
            PrintStream err) {
        try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                for (String json : Json.objects(line)) {
                    sender.onNext(parse(json, method));
                }
            }
            sender.onCompleted();
        } catch (java.io.IOException | IllegalArgumentException e) {
            err.println("Error: " + e.getMessage());
            sender.onError(Status.CANCELLED.withDescription(e.getMessage()).asRuntimeException());
        }
    }

    private static String readAll(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot read standard input: " + e.getMessage());
        }
    }

    private static MethodDescriptor.MethodType type(Descriptors.MethodDescriptor method) {
        if (method.isClientStreaming()) {
            return method.isServerStreaming()
                    ? MethodDescriptor.MethodType.BIDI_STREAMING
                    : MethodDescriptor.MethodType.CLIENT_STREAMING;
        }
        return method.isServerStreaming()
                ? MethodDescriptor.MethodType.SERVER_STREAMING
                : MethodDescriptor.MethodType.UNARY;
    }

    /** The status as grpcurl prints it, with any {@code google.rpc} details decoded where possible. */
    private static void printError(StatusRuntimeException e, PrintStream err) {
        Status status = e.getStatus();
        err.println("ERROR:");
        err.println("  Code: " + status.getCode());
        err.println("  Message: " + status.getDescription());
        com.google.rpc.Status details = StatusProto.fromThrowable(e);
        if (details != null && details.getDetailsCount() > 0) {
            err.println("  Details:");
            for (Any detail : details.getDetailsList()) {
                err.println("    " + detail.getTypeUrl() + ": " + Json.describe(detail));
            }
        }
    }

    /** Parsed command line. */
    record Options(
            String address,
            String target,
            boolean plaintext,
            String caCert,
            boolean insecure,
            Metadata metadata,
            String data,
            double maxTimeSeconds) {

        boolean fromStdin() {
            return "@".equals(data);
        }

        static Options parse(String[] args) {
            boolean plaintext = false;
            boolean insecure = false;
            String caCert = null;
            String data = null;
            double maxTime = 0;
            Metadata metadata = new Metadata();
            List<String> positional = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "-plaintext" -> plaintext = true;
                    case "-insecure" -> insecure = true;
                    case "-cacert" -> caCert = value(args, ++i, "-cacert");
                    case "-d" -> data = value(args, ++i, "-d");
                    case "-max-time" -> maxTime = Double.parseDouble(value(args, ++i, "-max-time"));
                    case "-H" -> {
                        String header = value(args, ++i, "-H");
                        int colon = header.indexOf(':');
                        if (colon < 1) {
                            throw new IllegalArgumentException("-H expects 'name: value'");
                        }
                        metadata.put(
                                Metadata.Key.of(
                                        header.substring(0, colon).strip().toLowerCase(),
                                        Metadata.ASCII_STRING_MARSHALLER),
                                header.substring(colon + 1).strip());
                    }
                    default -> positional.add(args[i]);
                }
            }
            if (positional.size() != 2) {
                throw new IllegalArgumentException("expected HOST:PORT and a method (or 'list')");
            }
            return new Options(
                    positional.get(0), positional.get(1), plaintext, caCert, insecure, metadata, data, maxTime);
        }

        private static String value(String[] args, int index, String flag) {
            if (index >= args.length) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            return args[index];
        }

        ManagedChannel channel() {
            int colon = address.lastIndexOf(':');
            if (colon < 1) {
                throw new IllegalArgumentException("address must be HOST:PORT");
            }
            NettyChannelBuilder builder = NettyChannelBuilder.forAddress(
                    address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
            if (plaintext) {
                return builder.usePlaintext().build();
            }
            try {
                var ssl = GrpcSslContexts.forClient();
                if (insecure) {
                    ssl.trustManager(InsecureTrustManagerFactory.INSTANCE);
                } else if (caCert != null) {
                    ssl.trustManager(new File(caCert));
                }
                return builder.sslContext(ssl.build()).build();
            } catch (javax.net.ssl.SSLException e) {
                throw new IllegalArgumentException("TLS setup failed: " + e.getMessage());
            }
        }
    }

    /** Marshals messages of one type known only at run time. */
    private record DynamicMarshaller(Descriptors.Descriptor type)
            implements MethodDescriptor.Marshaller<DynamicMessage> {

        @Override
        public InputStream stream(DynamicMessage value) {
            return value.toByteString().newInput();
        }

        @Override
        public DynamicMessage parse(InputStream stream) {
            try {
                return DynamicMessage.parseFrom(type, stream);
            } catch (java.io.IOException e) {
                throw Status.INTERNAL
                        .withDescription("cannot parse response: " + e.getMessage())
                        .asRuntimeException();
            }
        }
    }
}
