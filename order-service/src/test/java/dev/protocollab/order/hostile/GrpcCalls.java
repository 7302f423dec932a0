package dev.protocollab.order.hostile;

import dev.protocollab.contracts.order.v1.CancelOrderRequest;
import dev.protocollab.contracts.order.v1.CreateOrderRequest;
import dev.protocollab.contracts.order.v1.GetOrderRequest;
import dev.protocollab.contracts.order.v1.ImportOrdersSummary;
import dev.protocollab.contracts.order.v1.LineItem;
import dev.protocollab.contracts.order.v1.ListOrdersRequest;
import dev.protocollab.contracts.order.v1.ListOrdersResponse;
import dev.protocollab.contracts.order.v1.Order;
import dev.protocollab.contracts.order.v1.OrderServiceGrpc;
import dev.protocollab.contracts.order.v1.OrderUpdate;
import dev.protocollab.contracts.order.v1.TrackOrdersRequest;
import dev.protocollab.contracts.order.v1.WatchOrderRequest;
import io.grpc.CallCredentials;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * Every method of {@code order.v1.OrderService}, each called once with the given credentials, answering the
 * status the call ended with: unary, server streaming, client streaming and bidirectional alike.
 */
final class GrpcCalls {

    private static final long DEADLINE_SECONDS = 5;

    private GrpcCalls() {}

    static CreateOrderRequest book() {
        return CreateOrderRequest.newBuilder()
                .addItems(LineItem.newBuilder().setSku("BOOK-42").setQuantity(2).setUnitPrice("12.50"))
                .setCurrencyCode("EUR")
                .build();
    }

    /** Method name → a call of it on {@code orderId} (where it takes one), ending in a status. */
    static final Map<String, BiFunction<OrderServiceGrpc.OrderServiceStub, String, CompletableFuture<Status>>> METHODS =
            Map.of(
                    "CreateOrder", (stub, id) -> GrpcCalls.<Order>unary(observer -> stub.createOrder(book(), observer)),
                    "GetOrder",
                            (stub, id) -> GrpcCalls.<Order>unary(observer -> stub.getOrder(
                                    GetOrderRequest.newBuilder().setId(id).build(), observer)),
                    "ListOrders",
                            (stub, id) -> GrpcCalls.<ListOrdersResponse>unary(
                                    observer -> stub.listOrders(ListOrdersRequest.getDefaultInstance(), observer)),
                    "CancelOrder",
                            (stub, id) -> GrpcCalls.<Order>unary(observer -> stub.cancelOrder(
                                    CancelOrderRequest.newBuilder().setId(id).build(), observer)),
                    "WatchOrder",
                            (stub, id) -> GrpcCalls.<OrderUpdate>unary(observer -> stub.watchOrder(
                                    WatchOrderRequest.newBuilder().setId(id).build(), observer)),
                    "ImportOrders",
                            (stub, id) -> GrpcCalls.<ImportOrdersSummary>unary(observer -> {
                                StreamObserver<CreateOrderRequest> requests = stub.importOrders(observer);
                                requests.onNext(book());
                                requests.onCompleted();
                            }),
                    "TrackOrders",
                            (stub, id) -> GrpcCalls.<OrderUpdate>unary(observer -> {
                                StreamObserver<TrackOrdersRequest> requests = stub.trackOrders(observer);
                                requests.onNext(TrackOrdersRequest.newBuilder()
                                        .setAdd(id)
                                        .build());
                                requests.onCompleted();
                            }));

    static OrderServiceGrpc.OrderServiceStub stub(Channel channel, CallCredentials credentials) {
        OrderServiceGrpc.OrderServiceStub stub =
                OrderServiceGrpc.newStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
        return credentials == null ? stub : stub.withCallCredentials(credentials);
    }

    /** The status a call ends with; OK once the server completes it, whatever it streamed before. */
    static Status call(String method, Channel channel, CallCredentials credentials, String orderId) {
        return METHODS.get(method)
                .apply(stub(channel, credentials), orderId)
                .orTimeout(2 * DEADLINE_SECONDS, TimeUnit.SECONDS)
                .join();
    }

    private static <T> CompletableFuture<Status> unary(java.util.function.Consumer<StreamObserver<T>> start) {
        CompletableFuture<Status> ended = new CompletableFuture<>();
        start.accept(new StreamObserver<>() {
            @Override
            public void onNext(T value) {}

            @Override
            public void onError(Throwable t) {
                ended.complete(Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
                ended.complete(Status.OK);
            }
        });
        return ended;
    }
}
