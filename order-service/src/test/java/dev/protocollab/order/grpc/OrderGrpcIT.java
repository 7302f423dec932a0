package dev.protocollab.order.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.PreconditionFailure;
import com.google.rpc.ResourceInfo;
import dev.protocollab.contracts.order.v1.CancelOrderRequest;
import dev.protocollab.contracts.order.v1.CreateOrderRequest;
import dev.protocollab.contracts.order.v1.GetOrderRequest;
import dev.protocollab.contracts.order.v1.ImportOrdersSummary;
import dev.protocollab.contracts.order.v1.LineItem;
import dev.protocollab.contracts.order.v1.ListOrdersRequest;
import dev.protocollab.contracts.order.v1.ListOrdersResponse;
import dev.protocollab.contracts.order.v1.Order;
import dev.protocollab.contracts.order.v1.OrderServiceGrpc;
import dev.protocollab.contracts.order.v1.OrderStatus;
import dev.protocollab.contracts.order.v1.OrderUpdate;
import dev.protocollab.contracts.order.v1.WatchOrderRequest;
import dev.protocollab.order.IntegrationTest;
import dev.protocollab.order.TestClients;
import dev.protocollab.order.changes.OrderChanges;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.StatusProto;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

@IntegrationTest
class OrderGrpcIT {

    @Autowired
    TestClients clients;

    @Autowired
    OrderChanges changes;

    static CreateOrderRequest book(String key) {
        return CreateOrderRequest.newBuilder()
                .addItems(LineItem.newBuilder().setSku("BOOK-42").setQuantity(2).setUnitPrice("12.50"))
                .setCurrencyCode("EUR")
                .setIdempotencyKey(key)
                .build();
    }

    @Test
    void unaryCallsCreateReadListAndCancel() {
        OrderServiceGrpc.OrderServiceBlockingStub frank = clients.blocking("frank-" + UUID.randomUUID());

        Order created = frank.createOrder(book(""));
        Order read = frank.getOrder(
                GetOrderRequest.newBuilder().setId(created.getId()).build());
        ListOrdersResponse page =
                frank.listOrders(ListOrdersRequest.newBuilder().setPageSize(10).build());
        Order cancelled = frank.cancelOrder(CancelOrderRequest.newBuilder()
                .setId(created.getId())
                .setExpectedVersion(1)
                .build());

        assertThat(created.getStatus()).isEqualTo(OrderStatus.ORDER_STATUS_PENDING);
        assertThat(created.getTotal().getAmount()).isEqualTo("25.00");
        assertThat(created.getTotal().getCurrencyCode()).isEqualTo("EUR");
        assertThat(read).isEqualTo(created);
        assertThat(page.getOrdersList()).extracting(Order::getId).containsExactly(created.getId());
        assertThat(page.getTotalSize()).isEqualTo(1);
        assertThat(cancelled.getStatus()).isEqualTo(OrderStatus.ORDER_STATUS_CANCELLED);
        assertThat(cancelled.getVersion()).isEqualTo(2);
    }

    @Test
    void listPagesWithOpaqueTokens() {
        OrderServiceGrpc.OrderServiceBlockingStub grace = clients.blocking("grace-" + UUID.randomUUID());
        for (int i = 0; i < 3; i++) {
            grace.createOrder(book(""));
        }
        ListOrdersResponse first =
                grace.listOrders(ListOrdersRequest.newBuilder().setPageSize(2).build());
        ListOrdersResponse second = grace.listOrders(ListOrdersRequest.newBuilder()
                .setPageSize(2)
                .setPageToken(first.getNextPageToken())
                .build());

        assertThat(first.getOrdersCount()).isEqualTo(2);
        assertThat(first.getNextPageToken()).isNotEmpty();
        assertThat(second.getOrdersCount()).isEqualTo(1);
        assertThat(second.getNextPageToken()).isEmpty();
        assertThatThrownBy(() -> grace.listOrders(
                        ListOrdersRequest.newBuilder().setPageToken("forged").build()))
                .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    }

    @Test
    void unknownOrderIsNotFoundWithResourceInfo() throws Exception {
        String id = UUID.randomUUID().toString();
        StatusRuntimeException failure = catchStatus(() -> clients.blocking("alice")
                .getOrder(GetOrderRequest.newBuilder().setId(id).build()));

        assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(failure.getStatus().getDescription()).contains(id);
        ResourceInfo info = StatusProto.fromThrowable(failure).getDetails(0).unpack(ResourceInfo.class);
        assertThat(info.getResourceType()).isEqualTo("order.v1.Order");
        assertThat(info.getResourceName()).isEqualTo(id);
    }

    @Test
    void anotherCustomersOrderIsNotFound() {
        Order alices = clients.blocking("alice").createOrder(book(""));

        assertThat(catchStatus(() -> clients.blocking("mallory")
                                .getOrder(GetOrderRequest.newBuilder()
                                        .setId(alices.getId())
                                        .build()))
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.NOT_FOUND);
        assertThat(catchStatus(() -> clients.blocking("mallory")
                                .cancelOrder(CancelOrderRequest.newBuilder()
                                        .setId(alices.getId())
                                        .build()))
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.NOT_FOUND);
        Iterator<OrderUpdate> watch = clients.blocking("mallory")
                .watchOrder(WatchOrderRequest.newBuilder().setId(alices.getId()).build());
        assertThat(catchStatus(watch::next).getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void aServiceGrantedOrdersReadMayReadAnyOrderButNotList() {
        Order alices = clients.blocking("alice").createOrder(book(""));
        OrderServiceGrpc.OrderServiceBlockingStub service = OrderServiceGrpc.newBlockingStub(clients.channel())
                .withCallCredentials(
                        TestClients.bearerToken(clients.issuer().serviceToken("notification-service", "orders:read")))
                .withDeadlineAfter(5, TimeUnit.SECONDS);
        OrderServiceGrpc.OrderServiceBlockingStub unscoped = OrderServiceGrpc.newBlockingStub(clients.channel())
                .withCallCredentials(
                        TestClients.bearerToken(clients.issuer().serviceToken("notification-service", "profile")))
                .withDeadlineAfter(5, TimeUnit.SECONDS);

        Order read = service.getOrder(
                GetOrderRequest.newBuilder().setId(alices.getId()).build());

        assertThat(read.getCustomerId()).isEqualTo("alice");
        assertThat(catchStatus(() -> unscoped.getOrder(GetOrderRequest.newBuilder()
                                .setId(alices.getId())
                                .build()))
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.NOT_FOUND);
        assertThat(service.listOrders(ListOrdersRequest.getDefaultInstance()).getOrdersList())
                .as("the scope widens GetOrder only")
                .isEmpty();
    }

    @Test
    void invalidOrderIsInvalidArgumentWithFieldViolations() throws Exception {
        CreateOrderRequest bad = CreateOrderRequest.newBuilder()
                .addItems(LineItem.newBuilder().setSku("BOOK-42").setQuantity(0).setUnitPrice("12.5.0"))
                .setCurrencyCode("XXXX")
                .build();

        StatusRuntimeException failure =
                catchStatus(() -> clients.blocking("alice").createOrder(bad));

        assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        BadRequest details = StatusProto.fromThrowable(failure).getDetails(0).unpack(BadRequest.class);
        assertThat(details.getFieldViolationsList())
                .extracting(BadRequest.FieldViolation::getField)
                .containsExactlyInAnyOrder("currency", "items[0].quantity", "items[0].unitPrice");
        assertThat(catchStatus(() -> clients.blocking("alice")
                                .getOrder(
                                        GetOrderRequest.newBuilder().setId("x").build()))
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
    }

    @Test
    void reusingAnIdempotencyKeyForAnotherOrderIsAlreadyExists() throws Exception {
        String key = UUID.randomUUID().toString();
        Order first = clients.blocking("alice").createOrder(book(key));
        Order again = clients.blocking("alice").createOrder(book(key));
        CreateOrderRequest other = book(key).toBuilder()
                .setItems(0, LineItem.newBuilder().setSku("PEN").setQuantity(1).setUnitPrice("1.00"))
                .build();

        StatusRuntimeException failure =
                catchStatus(() -> clients.blocking("alice").createOrder(other));

        assertThat(again.getId()).isEqualTo(first.getId());
        assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
        assertThat(StatusProto.fromThrowable(failure)
                        .getDetails(0)
                        .unpack(ErrorInfo.class)
                        .getReason())
                .isEqualTo("IDEMPOTENCY_KEY_REUSED");
    }

    @Test
    void cancelRefusesStaleVersionsAndFinalOrders() throws Exception {
        OrderServiceGrpc.OrderServiceBlockingStub alice = clients.blocking("alice");
        Order order = alice.createOrder(book(""));

        StatusRuntimeException stale = catchStatus(() -> alice.cancelOrder(CancelOrderRequest.newBuilder()
                .setId(order.getId())
                .setExpectedVersion(7)
                .build()));
        alice.cancelOrder(CancelOrderRequest.newBuilder().setId(order.getId()).build());
        StatusRuntimeException twice = catchStatus(() -> alice.cancelOrder(
                CancelOrderRequest.newBuilder().setId(order.getId()).build()));

        assertThat(stale.getStatus().getCode()).isEqualTo(Status.Code.ABORTED);
        assertThat(twice.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(StatusProto.fromThrowable(twice)
                        .getDetails(0)
                        .unpack(PreconditionFailure.class)
                        .getViolations(0)
                        .getSubject())
                .isEqualTo("CANCELLED");
    }

    @Test
    void watchOrderSendsTheCurrentStateThenEachChangeUntilFinal() throws Exception {
        Order order = clients.blocking("alice").createOrder(book(""));
        Iterator<OrderUpdate> updates = clients.blocking("alice")
                .watchOrder(WatchOrderRequest.newBuilder().setId(order.getId()).build());

        OrderUpdate current = updates.next();
        clients.blocking("alice")
                .cancelOrder(
                        CancelOrderRequest.newBuilder().setId(order.getId()).build());
        OrderUpdate cancelled = updates.next();

        assertThat(current.getStatus()).isEqualTo(OrderStatus.ORDER_STATUS_PENDING);
        assertThat(current.getVersion()).isEqualTo(1);
        assertThat(cancelled.getStatus()).isEqualTo(OrderStatus.ORDER_STATUS_CANCELLED);
        assertThat(cancelled.getVersion()).isEqualTo(2);
        assertThat(updates.hasNext())
                .as("the stream ends once the order is final")
                .isFalse();
    }

    @Test
    void watchPastItsDeadlineIsDeadlineExceededAndTheServerLetsGo() {
        Order order = clients.blocking("alice").createOrder(book(""));
        int before = changes.subscriberCount();
        Iterator<OrderUpdate> updates = clients.blocking("alice")
                .withDeadlineAfter(300, TimeUnit.MILLISECONDS)
                .watchOrder(WatchOrderRequest.newBuilder()
                        .setId(order.getId())
                        .setAfterVersion(1)
                        .build());

        StatusRuntimeException failure = catchStatus(updates::next);

        assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        await().atMost(Duration.ofSeconds(3)).until(() -> changes.subscriberCount() == before);
    }

    @Test
    void importOrdersCreatesEachValidOrderAndSummarises() throws Exception {
        String customer = "henry-" + UUID.randomUUID();
        String key = UUID.randomUUID().toString();
        CompletableFuture<ImportOrdersSummary> summary = new CompletableFuture<>();
        StreamObserver<CreateOrderRequest> requests =
                clients.async(customer).withDeadlineAfter(10, TimeUnit.SECONDS).importOrders(completing(summary));

        requests.onNext(book(key));
        requests.onNext(book(""));
        requests.onNext(CreateOrderRequest.newBuilder().setCurrencyCode("EUR").build());
        requests.onNext(book(key));
        requests.onCompleted();
        ImportOrdersSummary result = summary.get(10, TimeUnit.SECONDS);

        assertThat(result.getReceived()).isEqualTo(4);
        assertThat(result.getCreated()).isEqualTo(2);
        assertThat(result.getDuplicates()).isEqualTo(1);
        assertThat(result.getRejected()).isEqualTo(1);
        assertThat(result.getErrors(0).getIndex()).isEqualTo(2);
        assertThat(clients.blocking(customer)
                        .listOrders(ListOrdersRequest.getDefaultInstance())
                        .getTotalSize())
                .isEqualTo(2);
    }

    @Test
    void healthAndReflectionAnswerWithoutAToken() throws Exception {
        HealthCheckResponse health = HealthGrpc.newBlockingStub(clients.channel())
                .withDeadlineAfter(5, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance());

        CompletableFuture<ServerReflectionResponse> listed = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> reflection = ServerReflectionGrpc.newStub(clients.channel())
                .withDeadlineAfter(5, TimeUnit.SECONDS)
                .serverReflectionInfo(completing(listed));
        reflection.onNext(
                ServerReflectionRequest.newBuilder().setListServices("*").build());
        reflection.onCompleted();

        assertThat(health.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        List<String> services = listed.get(5, TimeUnit.SECONDS).getListServicesResponse().getServiceList().stream()
                .map(ServiceResponse::getName)
                .toList();
        assertThat(services).contains("order.v1.OrderService", "grpc.health.v1.Health");
    }

    static StatusRuntimeException catchStatus(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e;
        }
        throw new AssertionError("expected the call to fail");
    }

    static <T> StreamObserver<T> completing(CompletableFuture<T> result) {
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
            public void onCompleted() {
                result.completeExceptionally(new AssertionError("completed without a message"));
            }
        };
    }
}
