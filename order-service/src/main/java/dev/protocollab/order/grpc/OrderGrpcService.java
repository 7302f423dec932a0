package dev.protocollab.order.grpc;

import dev.protocollab.contracts.order.v1.CancelOrderRequest;
import dev.protocollab.contracts.order.v1.CreateOrderRequest;
import dev.protocollab.contracts.order.v1.GetOrderRequest;
import dev.protocollab.contracts.order.v1.ImportError;
import dev.protocollab.contracts.order.v1.ImportOrdersSummary;
import dev.protocollab.contracts.order.v1.ListOrdersRequest;
import dev.protocollab.contracts.order.v1.ListOrdersResponse;
import dev.protocollab.contracts.order.v1.Order;
import dev.protocollab.contracts.order.v1.OrderServiceGrpc;
import dev.protocollab.contracts.order.v1.OrderUpdate;
import dev.protocollab.contracts.order.v1.TrackOrdersRequest;
import dev.protocollab.contracts.order.v1.WatchOrderRequest;
import dev.protocollab.order.OrdersProperties;
import dev.protocollab.order.changes.OrderChange;
import dev.protocollab.order.changes.OrderChanges;
import dev.protocollab.order.idempotency.IdempotencyKeyReusedException;
import dev.protocollab.order.idempotency.IdempotencyKeys;
import dev.protocollab.order.orders.InvalidOrderException;
import dev.protocollab.order.orders.OrderNotFoundException;
import dev.protocollab.order.orders.OrderState;
import dev.protocollab.order.orders.Orders;
import dev.protocollab.order.security.Caller;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * {@code order.v1.OrderService}: the four kinds of gRPC call over the same domain as the REST API.
 *
 * <ul>
 *   <li>unary: {@code CreateOrder}, {@code GetOrder}, {@code ListOrders}, {@code CancelOrder};
 *   <li>server streaming: {@code WatchOrder}, one order's changes until it is final;
 *   <li>client streaming: {@code ImportOrders}, many creates answered by one summary;
 *   <li>bidirectional: {@code TrackOrders}, the client adds and removes orders while changes stream back.
 * </ul>
 *
 * Domain failures thrown here are turned into status codes by {@link GrpcErrors}.
 */
@Service
class OrderGrpcService extends OrderServiceGrpc.OrderServiceImplBase {

    private static final Logger log = LoggerFactory.getLogger(OrderGrpcService.class);
    private static final int DEFAULT_PAGE_SIZE = 20;
    private static final int MAX_PAGE_SIZE = 100;
    private static final int MAX_REPORTED_ERRORS = 100;

    private final Orders orders;
    private final OrderChanges changes;
    private final OrdersProperties.Grpc properties;

    OrderGrpcService(Orders orders, OrderChanges changes, OrdersProperties properties) {
        this.orders = orders;
        this.changes = changes;
        this.properties = properties.grpc();
    }

    @Override
    public void createOrder(CreateOrderRequest request, StreamObserver<Order> responses) {
        Caller caller = GrpcCaller.current();
        Orders.Created created =
                orders.create(caller.customerId(), GrpcMapping.newOrder(request), idempotencyKey(request));
        respond(responses, GrpcMapping.order(created.order()));
    }

    /** A customer reads its own orders; a service granted {@code orders:read} (enrichment) reads any. */
    @Override
    public void getOrder(GetOrderRequest request, StreamObserver<Order> responses) {
        Caller caller = GrpcCaller.current();
        UUID id = GrpcMapping.orderId(request.getId());
        respond(
                responses,
                GrpcMapping.order(caller.mayReadAllOrders() ? orders.get(id) : orders.get(caller.customerId(), id)));
    }

    @Override
    public void listOrders(ListOrdersRequest request, StreamObserver<ListOrdersResponse> responses) {
        Caller caller = GrpcCaller.current();
        int size = request.getPageSize() == 0 ? DEFAULT_PAGE_SIZE : request.getPageSize();
        if (size < 1 || size > MAX_PAGE_SIZE) {
            throw new IllegalArgumentException("page_size must be between 1 and " + MAX_PAGE_SIZE);
        }
        int page = PageToken.decode(request.getPageToken());
        Orders.Page result = orders.list(caller.customerId(), GrpcMapping.status(request.getStatus()), page, size);
        ListOrdersResponse.Builder response = ListOrdersResponse.newBuilder().setTotalSize(result.totalElements());
        result.orders().forEach(order -> response.addOrders(GrpcMapping.order(order)));
        if ((long) (page + 1) * size < result.totalElements()) {
            response.setNextPageToken(PageToken.encode(page + 1));
        }
        respond(responses, response.build());
    }

    @Override
    public void cancelOrder(CancelOrderRequest request, StreamObserver<Order> responses) {
        Caller caller = GrpcCaller.current();
        OptionalLong expected = request.getExpectedVersion() == 0
                ? OptionalLong.empty()
                : OptionalLong.of(request.getExpectedVersion());
        respond(
                responses,
                GrpcMapping.order(orders.cancel(caller.customerId(), GrpcMapping.orderId(request.getId()), expected)));
    }

    /**
     * Server streaming. Subscribes to the order's changes before reading its state, so no change can fall
     * between the read and the subscription; the stream ends by itself when the order is final.
     */
    @Override
    public void watchOrder(WatchOrderRequest request, StreamObserver<OrderUpdate> observer) {
        Caller caller = GrpcCaller.current();
        UUID id = GrpcMapping.orderId(request.getId());
        orders.state(caller.customerId(), id); // NOT_FOUND before anything is streamed
        ServerCallStreamObserver<OrderUpdate> responses = (ServerCallStreamObserver<OrderUpdate>) observer;
        UpdateStream stream = new UpdateStream(responses);
        stream.start(id, request.getAfterVersion());
        OrderChanges.Subscription subscription = changes.subscribe(id, new OrderChanges.Listener() {
            @Override
            public void changed(OrderChange change) {
                send(
                        stream,
                        new OrderState(id, caller.customerId(), change.status(), change.version(), change.updatedAt()));
            }

            @Override
            public void resync() {
                Thread.startVirtualThread(() -> send(stream, orders.state(caller.customerId(), id)));
            }
        });
        endWithCall(responses, stream, subscription::close);
        send(stream, orders.state(caller.customerId(), id));
        if (stream.ended()) {
            subscription.close();
        }
    }

    /**
     * Client streaming. Each request is its own transaction, so a broken stream keeps what was already
     * created; idempotency keys make sending the whole stream again safe.
     */
    @Override
    public StreamObserver<CreateOrderRequest> importOrders(StreamObserver<ImportOrdersSummary> responses) {
        Caller caller = GrpcCaller.current();
        return new StreamObserver<>() {
            private final ImportOrdersSummary.Builder summary = ImportOrdersSummary.newBuilder();
            private int index;
            private boolean failed;

            @Override
            public void onNext(CreateOrderRequest request) {
                if (failed) {
                    return;
                }
                int position = index++;
                summary.setReceived(summary.getReceived() + 1);
                if (summary.getReceived() > properties.maxImportOrders()) {
                    failed = true;
                    responses.onError(Status.RESOURCE_EXHAUSTED
                            .withDescription(
                                    "at most " + properties.maxImportOrders() + " orders per import; the first "
                                            + properties.maxImportOrders() + " were processed")
                            .asRuntimeException());
                    return;
                }
                try {
                    Orders.Created created =
                            orders.create(caller.customerId(), GrpcMapping.newOrder(request), idempotencyKey(request));
                    if (created.replayed()) {
                        summary.setDuplicates(summary.getDuplicates() + 1);
                    } else {
                        summary.setCreated(summary.getCreated() + 1);
                    }
                } catch (InvalidOrderException | IdempotencyKeyReusedException | IllegalArgumentException e) {
                    summary.setRejected(summary.getRejected() + 1);
                    if (summary.getErrorsCount() < MAX_REPORTED_ERRORS) {
                        summary.addErrors(
                                ImportError.newBuilder().setIndex(position).setReason(e.getMessage()));
                    }
                }
            }

            @Override
            public void onError(Throwable t) {
                log.debug("Import stream ended by the client after {} orders: {}", index, t.getMessage());
            }

            @Override
            public void onCompleted() {
                if (!failed) {
                    respond(responses, summary.build());
                }
            }
        };
    }

    /**
     * Bidirectional streaming: {@code add} subscribes to an order (its current state is sent at once),
     * {@code remove} unsubscribes; the server half-closes when the client does.
     */
    @Override
    public StreamObserver<TrackOrdersRequest> trackOrders(StreamObserver<OrderUpdate> observer) {
        Caller caller = GrpcCaller.current();
        ServerCallStreamObserver<OrderUpdate> responses = (ServerCallStreamObserver<OrderUpdate>) observer;
        UpdateStream stream = new UpdateStream(responses);
        Map<UUID, OrderChanges.Subscription> tracked = new HashMap<>();
        Runnable untrackAll = () -> {
            synchronized (tracked) {
                tracked.values().forEach(OrderChanges.Subscription::close);
                tracked.clear();
            }
        };
        endWithCall(responses, stream, untrackAll);
        return new StreamObserver<>() {
            @Override
            public void onNext(TrackOrdersRequest request) {
                if (stream.ended()) {
                    return;
                }
                try {
                    switch (request.getActionCase()) {
                        case ADD -> add(GrpcMapping.orderId(request.getAdd()));
                        case REMOVE -> remove(GrpcMapping.orderId(request.getRemove()));
                        case ACTION_NOT_SET ->
                            throw new IllegalArgumentException("each request must add or remove an order");
                    }
                } catch (IllegalArgumentException e) {
                    end(Status.INVALID_ARGUMENT.withDescription(e.getMessage()));
                } catch (OrderNotFoundException e) {
                    end(Status.NOT_FOUND.withDescription(e.getMessage()));
                }
            }

            private void end(Status status) {
                stream.fail(status);
                untrackAll.run();
            }

            private void add(UUID id) {
                synchronized (tracked) {
                    if (tracked.containsKey(id)) {
                        return;
                    }
                    if (tracked.size() >= properties.maxTrackedOrders()) {
                        end(Status.RESOURCE_EXHAUSTED.withDescription(
                                "at most " + properties.maxTrackedOrders() + " orders per stream"));
                        return;
                    }
                }
                OrderState initial = orders.state(caller.customerId(), id);
                OrderChanges.Subscription subscription = changes.subscribe(id, new OrderChanges.Listener() {
                    @Override
                    public void changed(OrderChange change) {
                        stream.offer(new OrderState(
                                id, caller.customerId(), change.status(), change.version(), change.updatedAt()));
                    }

                    @Override
                    public void resync() {
                        Thread.startVirtualThread(() -> stream.offer(orders.state(caller.customerId(), id)));
                    }
                });
                synchronized (tracked) {
                    tracked.put(id, subscription);
                }
                stream.offer(initial);
                stream.offer(orders.state(caller.customerId(), id)); // a change between the two reads
            }

            private void remove(UUID id) {
                OrderChanges.Subscription subscription;
                synchronized (tracked) {
                    subscription = tracked.remove(id);
                }
                if (subscription != null) {
                    subscription.close();
                    stream.forget(id);
                }
            }

            @Override
            public void onError(Throwable t) {
                untrackAll.run();
            }

            @Override
            public void onCompleted() {
                untrackAll.run();
                stream.complete();
            }
        };
    }

    /** Sends the state if it is news to the client; a final state also ends the watch. */
    private void send(UpdateStream stream, OrderState state) {
        stream.offer(state);
        if (state.status().isFinal()) {
            stream.complete();
        }
    }

    /** Releases the call's subscriptions however it ends: client cancel, deadline, or our own close. */
    private static void endWithCall(
            ServerCallStreamObserver<OrderUpdate> responses, UpdateStream stream, Runnable release) {
        Runnable end = () -> {
            stream.abandon();
            release.run();
        };
        responses.setOnCancelHandler(end::run);
        Context.current().addListener(context -> end.run(), Runnable::run);
        responses.setOnCloseHandler(end::run);
    }

    private static String idempotencyKey(CreateOrderRequest request) {
        String key = request.getIdempotencyKey();
        if (key.isEmpty()) {
            return null;
        }
        if (!IdempotencyKeys.isValid(key)) {
            throw new IllegalArgumentException(
                    "idempotency_key must be 1 to " + IdempotencyKeys.MAX_LENGTH + " printable ASCII characters");
        }
        return key;
    }

    private static <T> void respond(StreamObserver<T> responses, T response) {
        responses.onNext(response);
        responses.onCompleted();
    }

    /** Opaque to clients; a page number underneath. */
    static final class PageToken {

        private PageToken() {}

        static String encode(int page) {
            return Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(("page:" + page).getBytes(StandardCharsets.UTF_8));
        }

        static int decode(String token) {
            if (token.isEmpty()) {
                return 0;
            }
            try {
                String value = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
                if (value.startsWith("page:")) {
                    int page = Integer.parseInt(value.substring(5));
                    if (page >= 0) {
                        return page;
                    }
                }
            } catch (IllegalArgumentException e) {
                // fall through
            }
            throw new IllegalArgumentException("page_token is not one this server issued");
        }
    }
}
