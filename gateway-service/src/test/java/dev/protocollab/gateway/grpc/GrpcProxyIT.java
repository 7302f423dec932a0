package dev.protocollab.gateway.grpc;

import static dev.protocollab.gateway.TestClients.bearer;
import static dev.protocollab.gateway.TestClients.uniqueUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import com.google.rpc.ErrorInfo;
import dev.protocollab.contracts.order.v1.CreateOrderRequest;
import dev.protocollab.contracts.order.v1.GetOrderRequest;
import dev.protocollab.contracts.order.v1.ImportOrdersSummary;
import dev.protocollab.contracts.order.v1.LineItem;
import dev.protocollab.contracts.order.v1.Order;
import dev.protocollab.contracts.order.v1.OrderServiceGrpc;
import dev.protocollab.contracts.order.v1.OrderUpdate;
import dev.protocollab.contracts.order.v1.TrackOrdersRequest;
import dev.protocollab.contracts.order.v1.WatchOrderRequest;
import dev.protocollab.gateway.Backends;
import dev.protocollab.gateway.IntegrationTest;
import dev.protocollab.gateway.TestClients;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** order.v1 through the gateway's cleartext port (h2c) and its TLS port (h2): every call kind and failure. */
@IntegrationTest
class GrpcProxyIT {

    @Autowired
    TestClients clients;

    private final Backends backends = Backends.get();

    private OrderServiceGrpc.OrderServiceBlockingStub blocking(String token) {
        return OrderServiceGrpc.newBlockingStub(clients.channel())
                .withCallCredentials(bearer(token))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    @Test
    void reflectionThroughTheGatewayListsEveryRoutedService() throws Exception {
        CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(clients.channel())
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse response) {
                        answer.complete(response);
                    }

                    @Override
                    public void onError(Throwable error) {
                        answer.completeExceptionally(error);
                    }

                    @Override
                    public void onCompleted() {}
                });
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        requests.onCompleted();

        List<String> services = answer.get(10, TimeUnit.SECONDS).getListServicesResponse().getServiceList().stream()
                .map(ServiceResponse::getName)
                .toList();
        assertThat(services).contains("order.v1.OrderService", "stream.v1.StreamService", "grpc.health.v1.Health");
    }

    @Test
    void unaryCallsReachTheBackendWithTheCallersToken() {
        String alice = uniqueUser("alice");
        Order created = blocking(clients.token(alice))
                .createOrder(CreateOrderRequest.newBuilder()
                        .addItems(LineItem.newBuilder()
                                .setSku("BOOK-42")
                                .setQuantity(1)
                                .setUnitPrice("12.50"))
                        .setCurrencyCode("EUR")
                        .build());
        Order read = blocking(clients.token(alice))
                .getOrder(GetOrderRequest.newBuilder().setId(created.getId()).build());

        assertThat(read.getCustomerId()).isEqualTo(alice);
        assertThat(read.getId()).isEqualTo(created.getId());
    }

    @Test
    void serverStreamingDeliversEveryMessageAndTheStatus() {
        String alice = uniqueUser("alice");
        Iterator<OrderUpdate> updates = blocking(clients.token(alice))
                .watchOrder(WatchOrderRequest.newBuilder().setId("o-1").build());
        List<Long> versions = new ArrayList<>();
        updates.forEachRemaining(update -> versions.add(update.getVersion()));

        assertThat(versions).containsExactly(1L, 2L, 3L);
    }

    @Test
    void clientStreamingSendsEveryRequestBeforeTheSummary() throws Exception {
        String alice = uniqueUser("alice");
        CompletableFuture<ImportOrdersSummary> summary = new CompletableFuture<>();
        StreamObserver<CreateOrderRequest> requests = OrderServiceGrpc.newStub(clients.channel())
                .withCallCredentials(bearer(clients.token(alice)))
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .importOrders(observer(summary));
        for (int i = 0; i < 25; i++) {
            requests.onNext(
                    CreateOrderRequest.newBuilder().setCurrencyCode("EUR").build());
        }
        requests.onCompleted();

        assertThat(summary.get(10, TimeUnit.SECONDS).getReceived()).isEqualTo(25);
    }

    @Test
    void bidirectionalStreamingAnswersWhileTheClientIsStillSending() throws Exception {
        String alice = uniqueUser("alice");
        List<OrderUpdate> received = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        StreamObserver<TrackOrdersRequest> requests = OrderServiceGrpc.newStub(clients.channel())
                .withCallCredentials(bearer(clients.token(alice)))
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .trackOrders(new StreamObserver<>() {
                    @Override
                    public void onNext(OrderUpdate value) {
                        received.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        done.complete(null);
                    }
                });
        requests.onNext(TrackOrdersRequest.newBuilder().setAdd("first").build());
        // the first answer arrives before the client sends anything more: the stream is not buffered
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(5))
                .until(() -> received.size() == 1);
        requests.onNext(TrackOrdersRequest.newBuilder().setAdd("second").build());
        requests.onCompleted();
        done.get(10, TimeUnit.SECONDS);

        assertThat(received).extracting(OrderUpdate::getId).containsExactly("first", "second");
    }

    @Test
    void notFoundKeepsItsMessageDetailsAndTrailingMetadata() {
        String bob = uniqueUser("bob");

        assertThatThrownBy(() -> blocking(clients.token(bob))
                        .getOrder(GetOrderRequest.newBuilder().setId("missing").build()))
                .asInstanceOf(type(StatusRuntimeException.class))
                .satisfies(error -> {
                    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(error.getStatus().getDescription()).isEqualTo("order missing not found");
                    com.google.rpc.Status details = StatusProto.fromThrowable(error);
                    assertThat(details).isNotNull();
                    assertThat(details.getDetails(0).unpack(ErrorInfo.class).getReason())
                            .isEqualTo("ORDER_NOT_FOUND");
                    assertThat(error.getTrailers()
                                    .get(Metadata.Key.of("x-error-hint", Metadata.ASCII_STRING_MARSHALLER)))
                            .isEqualTo("check-the-id");
                });
    }

    @Test
    void anotherCustomersOrderIsNotFound() {
        String order = backends.newOrder(uniqueUser("alice"));

        assertThatThrownBy(() -> blocking(clients.token(uniqueUser("bob")))
                        .getOrder(GetOrderRequest.newBuilder().setId(order).build()))
                .asInstanceOf(type(StatusRuntimeException.class))
                .extracting(error -> error.getStatus().getCode())
                .isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void theClientsDeadlineReachesTheBackendAndEndsTheCall() {
        String alice = uniqueUser("alice");
        OrderServiceGrpc.OrderServiceBlockingStub stub = OrderServiceGrpc.newBlockingStub(clients.channel())
                .withCallCredentials(bearer(clients.token(alice)))
                .withDeadlineAfter(700, TimeUnit.MILLISECONDS);

        assertThatThrownBy(() ->
                        stub.getOrder(GetOrderRequest.newBuilder().setId("slow").build()))
                .asInstanceOf(type(StatusRuntimeException.class))
                .extracting(error -> error.getStatus().getCode())
                .isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        String forwarded =
                backends.lastGrpcHeaders().get(Metadata.Key.of("grpc-timeout", Metadata.ASCII_STRING_MARSHALLER));
        assertThat(GrpcDeadlines.parse(forwarded)).isNotNull().isLessThanOrEqualTo(java.time.Duration.ofMillis(700));
    }

    @Test
    void aCallWithoutDeadlineGetsTheGatewaysDefault() {
        String alice = uniqueUser("alice");
        OrderServiceGrpc.newBlockingStub(clients.channel())
                .withCallCredentials(bearer(clients.token(alice)))
                .watchOrder(WatchOrderRequest.newBuilder().setId("o-2").build())
                .forEachRemaining(update -> {});

        String forwarded =
                backends.lastGrpcHeaders().get(Metadata.Key.of("grpc-timeout", Metadata.ASCII_STRING_MARSHALLER));
        assertThat(GrpcDeadlines.parse(forwarded)).isEqualTo(java.time.Duration.ofMinutes(30));
    }

    @Test
    void requestIdAndTraceContextReachTheBackendAsMetadata() {
        String alice = uniqueUser("alice");
        blocking(clients.token(alice))
                .watchOrder(WatchOrderRequest.newBuilder().setId("o-3").build())
                .forEachRemaining(update -> {});

        Metadata headers = backends.lastGrpcHeaders();
        assertThat(headers.get(Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER)))
                .isNotBlank();
        assertThat(headers.get(Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER)))
                .matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]");
    }

    @Test
    void aCallWithoutTokenIsUnauthenticated() {
        OrderServiceGrpc.OrderServiceBlockingStub anonymous =
                OrderServiceGrpc.newBlockingStub(clients.channel()).withDeadlineAfter(5, TimeUnit.SECONDS);

        assertThatThrownBy(() -> anonymous.getOrder(
                        GetOrderRequest.newBuilder().setId("x").build()))
                .asInstanceOf(type(StatusRuntimeException.class))
                .extracting(error -> error.getStatus().getCode())
                .isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    @Test
    void aBackendThatIsDownIsUnavailableNotUnknown() {
        // stream-service's gRPC upstream points at a closed port in these tests
        MethodDescriptor<byte[], byte[]> method = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName("stream.v1.StreamService/Ping")
                .setRequestMarshaller(BYTES)
                .setResponseMarshaller(BYTES)
                .build();
        CallOptions options = CallOptions.DEFAULT
                .withCallCredentials(bearer(clients.token(uniqueUser("alice"))))
                .withDeadlineAfter(5, TimeUnit.SECONDS);

        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(clients.channel().newCall(method, options), new byte[0]))
                .asInstanceOf(type(StatusRuntimeException.class))
                .extracting(error -> error.getStatus().getCode())
                .isEqualTo(Status.Code.UNAVAILABLE);
    }

    @Test
    void grpcAlsoWorksOverTlsWithAlpnH2() throws Exception {
        String alice = uniqueUser("alice");
        String order = backends.newOrder(alice);
        ManagedChannel tlsChannel = NettyChannelBuilder.forAddress("localhost", clients.tlsPort())
                .sslContext(GrpcSslContexts.forClient()
                        .trustManager(clients.caFile().toFile())
                        .build())
                .build();
        try {
            Order read = OrderServiceGrpc.newBlockingStub(tlsChannel)
                    .withCallCredentials(bearer(clients.token(alice)))
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .getOrder(GetOrderRequest.newBuilder().setId(order).build());
            assertThat(read.getCustomerId()).isEqualTo(alice);
        } finally {
            tlsChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static <T> StreamObserver<T> observer(CompletableFuture<T> result) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                result.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {}
        };
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
