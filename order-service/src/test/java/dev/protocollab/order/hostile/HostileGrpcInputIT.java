package dev.protocollab.order.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.protocollab.contracts.order.v1.CancelOrderRequest;
import dev.protocollab.contracts.order.v1.GetOrderRequest;
import dev.protocollab.contracts.order.v1.ListOrdersRequest;
import dev.protocollab.contracts.order.v1.OrderServiceGrpc;
import dev.protocollab.contracts.order.v1.TrackOrdersRequest;
import dev.protocollab.contracts.order.v1.WatchOrderRequest;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Hostile payloads to every {@code order.v1.OrderService} method, sent as raw bytes through a {@link
 * ClientCall} whose marshaller does no checking: bytes that are not a valid message of the method's request
 * type are {@code INVALID_ARGUMENT}; any bytes at all never cause a server-side status ({@code INTERNAL},
 * {@code UNKNOWN}); a message over {@code spring.grpc.server.max-inbound-message-size} is {@code
 * RESOURCE_EXHAUSTED}, and the server goes on serving. The server's default deadline for calls without one
 * is proven by {@code OrderGrpcStreamingIT.aStreamWithoutADeadlineGetsTheServerDefault}.
 */
class HostileGrpcInputIT {

    static final int MAX_MESSAGE = 64 * 1024;

    /** Method → a valid request of its type, to mutate. */
    private static final Map<String, Message> VALID = Map.of(
            "CreateOrder", GrpcCalls.book(),
            "ImportOrders", GrpcCalls.book(),
            "GetOrder",
                    GetOrderRequest.newBuilder()
                            .setId("00000000-0000-0000-0000-000000000001")
                            .build(),
            "ListOrders", ListOrdersRequest.newBuilder().setPageSize(10).build(),
            "CancelOrder",
                    CancelOrderRequest.newBuilder()
                            .setId("00000000-0000-0000-0000-000000000001")
                            .setExpectedVersion(1)
                            .build(),
            "WatchOrder",
                    WatchOrderRequest.newBuilder()
                            .setId("00000000-0000-0000-0000-000000000001")
                            .build(),
            "TrackOrders",
                    TrackOrdersRequest.newBuilder()
                            .setAdd("00000000-0000-0000-0000-000000000001")
                            .build());

    private static final Map<String, Map<String, AtomicInteger>> SEEN = new ConcurrentHashMap<>();

    private static RunningOrderService service;

    @BeforeContainer
    static void start() {
        service = RunningOrderService.start("spring.grpc.server.max-inbound-message-size=" + MAX_MESSAGE + "B");
    }

    @AfterContainer
    static void stop() throws InterruptedException {
        new TreeMap<>(SEEN)
                .forEach((family, statuses) -> System.out.println("hostile gRPC " + family + ": "
                        + statuses.values().stream()
                                .mapToInt(AtomicInteger::get)
                                .sum() + " calls, statuses "
                        + new TreeMap<>(statuses)));
        if (service != null) {
            service.close();
        }
    }

    @Property(tries = 300)
    void bytesThatAreNotTheRequestTypeAreInvalidArgument(@ForAll("malformed") Malformed request) {
        Status status = rawCall("malformed protobuf", request.method(), request.payload());

        assertThat(status.getCode()).as(status.toString()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    }

    @Property(tries = 300)
    void anyBytesAtAllNeverMakeAServerError(@ForAll("methods") String method, @ForAll("anyBytes") byte[] payload) {
        Status status = rawCall("random bytes", method, payload);

        assertThat(status.getCode())
                .as(status.toString())
                .isNotIn(
                        Status.Code.INTERNAL,
                        Status.Code.UNKNOWN,
                        Status.Code.DATA_LOSS,
                        Status.Code.UNAVAILABLE,
                        Status.Code.UNIMPLEMENTED);
    }

    @Property(tries = 30)
    void aMessageOverTheLimitIsResourceExhaustedAndTheServerCarriesOn(
            @ForAll("methods") String method, @ForAll @IntRange(min = 1, max = 4 * MAX_MESSAGE) int excess) {
        byte[] payload = new byte[MAX_MESSAGE + excess];
        Arrays.fill(payload, (byte) 'x');

        Status status = rawCall("oversized message", method, payload);

        assertThat(status.getCode()).as(status.toString()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(HealthGrpc.newBlockingStub(service.channel())
                        .withDeadlineAfter(5, TimeUnit.SECONDS)
                        .check(HealthCheckRequest.getDefaultInstance())
                        .getStatus())
                .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    }

    /** A payload for a method that its request type cannot parse. */
    record Malformed(String method, byte[] payload) {

        @Override
        public String toString() {
            return method + " " + Arrays.toString(payload);
        }
    }

    @Provide
    Arbitrary<String> methods() {
        return Arbitraries.of(VALID.keySet());
    }

    @Provide
    Arbitrary<byte[]> anyBytes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
    }

    @Provide
    Arbitrary<Malformed> malformed() {
        return methods().flatMap(method -> {
            byte[] valid = VALID.get(method).toByteArray();
            Arbitrary<byte[]> truncated =
                    Arbitraries.integers().between(1, valid.length - 1).map(n -> Arrays.copyOf(valid, n));
            Arbitrary<byte[]> corrupted = Combinators.combine(
                            Arbitraries.integers().between(0, valid.length - 1), Arbitraries.bytes())
                    .as((at, b) -> {
                        byte[] copy = valid.clone();
                        copy[at] = b;
                        return copy;
                    });
            Arbitrary<byte[]> notUtf8 =
                    Arbitraries.bytes().between((byte) 0x80, (byte) 0xFF).map(b -> withInvalidUtf8(valid, b));
            Arbitrary<byte[]> lengthPastTheEnd = Arbitraries.integers()
                    .between(2, 127)
                    .map(n -> new byte[] {0x0A, n.byteValue(), (byte) 97}); // field 1, length n, one byte
            Arbitrary<byte[]> badWireTypes = Arbitraries.of(
                    new byte[] {0x0F}, // field 1, wire type 7 does not exist
                    new byte[] {0x0B}, // field 1, start group, never ended
                    new byte[] {0x08, (byte) 0x80}, // a varint that never ends
                    new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x10},
                    new byte[] {0x00}); // field number 0
            return Arbitraries.oneOf(truncated, corrupted, notUtf8, lengthPastTheEnd, badWireTypes)
                    .filter(payload -> !parses(method, payload))
                    .map(payload -> new Malformed(method, payload));
        });
    }

    /** The first string field's first byte replaced: proto3 strings must be UTF-8. */
    private static byte[] withInvalidUtf8(byte[] valid, byte b) {
        byte[] copy = valid.clone();
        for (int i = 0; i + 2 < copy.length; i++) {
            if ((copy[i] & 0x07) == 2 && copy[i + 1] > 0 && copy[i + 2] >= 'A') {
                copy[i + 2] = b;
                return copy;
            }
        }
        return copy;
    }

    private static boolean parses(String method, byte[] payload) {
        try {
            VALID.get(method).getParserForType().parseFrom(payload);
            return true;
        } catch (InvalidProtocolBufferException e) {
            return false;
        }
    }

    private static Status rawCall(String family, String method, byte[] payload) {
        MethodDescriptor<byte[], byte[]> descriptor = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(type(method))
                .setFullMethodName(MethodDescriptor.generateFullMethodName(OrderServiceGrpc.SERVICE_NAME, method))
                .setRequestMarshaller(BYTES)
                .setResponseMarshaller(BYTES)
                .build();
        ClientCall<byte[], byte[]> call = service.channel()
                .newCall(
                        descriptor,
                        CallOptions.DEFAULT
                                .withDeadlineAfter(5, TimeUnit.SECONDS)
                                .withCallCredentials(
                                        dev.protocollab.order.TestClients.bearerToken(service.token("alice"))));
        CompletableFuture<Status> closed = new CompletableFuture<>();
        call.start(
                new ClientCall.Listener<>() {
                    @Override
                    public void onClose(Status status, Metadata trailers) {
                        closed.complete(status);
                    }
                },
                new Metadata());
        call.request(10);
        call.sendMessage(payload);
        call.halfClose();
        Status status = closed.orTimeout(10, TimeUnit.SECONDS).join();
        SEEN.computeIfAbsent(family, f -> new ConcurrentHashMap<>())
                .computeIfAbsent(status.getCode().name(), c -> new AtomicInteger())
                .incrementAndGet();
        return status;
    }

    private static MethodDescriptor.MethodType type(String method) {
        return OrderServiceGrpc.getServiceDescriptor().getMethods().stream()
                .filter(m -> m.getBareMethodName().equals(method))
                .findFirst()
                .orElseThrow()
                .getType();
    }

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
}
