package dev.protocollab.order.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.protocollab.contracts.order.v1.Order;
import dev.protocollab.contracts.order.v1.OrderStatus;
import dev.protocollab.contracts.order.v1.OrderUpdate;
import dev.protocollab.contracts.order.v1.TrackOrdersRequest;
import dev.protocollab.contracts.order.v1.WatchOrderRequest;
import dev.protocollab.order.IntegrationTest;
import dev.protocollab.order.TestClients;
import dev.protocollab.order.changes.OrderChanges;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/** Streams against a running fulfilment: orders move on their own, every 200 ms here. */
@IntegrationTest
@TestPropertySource(
        properties = {
            "orders.fulfilment.confirm-after=200ms",
            "orders.fulfilment.ship-after=200ms",
            "orders.fulfilment.deliver-after=200ms",
            "orders.grpc.default-stream-deadline=3s",
        })
class OrderGrpcStreamingIT {

    @Autowired
    TestClients clients;

    @Autowired
    OrderChanges changes;

    @Test
    void watchOrderFollowsFulfilmentToDelivered() {
        Order order = clients.blocking("alice").createOrder(OrderGrpcIT.book(""));
        Iterator<OrderUpdate> updates = clients.blocking("alice")
                .watchOrder(WatchOrderRequest.newBuilder().setId(order.getId()).build());

        List<OrderUpdate> all = new java.util.ArrayList<>();
        updates.forEachRemaining(all::add);

        assertThat(all).extracting(OrderUpdate::getVersion).isSorted().doesNotHaveDuplicates();
        assertThat(all.getLast().getStatus()).isEqualTo(OrderStatus.ORDER_STATUS_DELIVERED);
        assertThat(all.getLast().getVersion()).isEqualTo(4);
    }

    @Test
    void trackOrdersStreamsTheTrackedOrdersUntilTheClientHalfCloses() throws Exception {
        String customer = "ivy-" + UUID.randomUUID();
        Order first = clients.blocking(customer).createOrder(OrderGrpcIT.book(""));
        Order second = clients.blocking(customer).createOrder(OrderGrpcIT.book(""));
        BlockingQueue<OrderUpdate> received = new LinkedBlockingQueue<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        StreamObserver<TrackOrdersRequest> requests =
                clients.async(customer).withDeadlineAfter(20, TimeUnit.SECONDS).trackOrders(collecting(received, done));

        requests.onNext(TrackOrdersRequest.newBuilder().setAdd(first.getId()).build());
        requests.onNext(TrackOrdersRequest.newBuilder().setAdd(second.getId()).build());
        await().atMost(Duration.ofSeconds(10))
                .until(() -> received.stream()
                        .anyMatch(u -> u.getId().equals(first.getId())
                                && u.getStatus() == OrderStatus.ORDER_STATUS_DELIVERED));
        requests.onNext(
                TrackOrdersRequest.newBuilder().setRemove(second.getId()).build());
        requests.onCompleted();
        done.get(5, TimeUnit.SECONDS);

        List<Long> firstVersions = received.stream()
                .filter(u -> u.getId().equals(first.getId()))
                .map(OrderUpdate::getVersion)
                .toList();
        assertThat(firstVersions).isSorted().doesNotHaveDuplicates().contains(4L);
        assertThat(received).extracting(OrderUpdate::getId).contains(second.getId());
    }

    @Test
    void trackingAnotherCustomersOrderEndsTheStreamWithNotFound() throws Exception {
        Order alices = clients.blocking("alice").createOrder(OrderGrpcIT.book(""));
        CompletableFuture<Void> done = new CompletableFuture<>();
        StreamObserver<TrackOrdersRequest> requests = clients.async("mallory")
                .withDeadlineAfter(5, TimeUnit.SECONDS)
                .trackOrders(collecting(new LinkedBlockingQueue<>(), done));

        requests.onNext(TrackOrdersRequest.newBuilder().setAdd(alices.getId()).build());

        assertThat(done)
                .failsWithin(Duration.ofSeconds(5))
                .withThrowableThat()
                .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }

    @Test
    void aStreamWithoutADeadlineGetsTheServerDefault() {
        Order order = clients.blocking("alice").createOrder(OrderGrpcIT.book(""));
        int before = changes.subscriberCount();
        CompletableFuture<Void> done = new CompletableFuture<>();
        // No deadline from the client: the server's default (3s here) ends the stream.
        StreamObserver<TrackOrdersRequest> requests =
                clients.async("alice").trackOrders(collecting(new LinkedBlockingQueue<>(), done));
        requests.onNext(TrackOrdersRequest.newBuilder().setAdd(order.getId()).build());

        assertThat(done)
                .failsWithin(Duration.ofSeconds(10))
                .withThrowableThat()
                .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
        await().atMost(Duration.ofSeconds(3)).until(() -> changes.subscriberCount() == before);
    }

    private static StreamObserver<OrderUpdate> collecting(
            BlockingQueue<OrderUpdate> into, CompletableFuture<Void> done) {
        return new StreamObserver<>() {
            @Override
            public void onNext(OrderUpdate value) {
                into.add(value);
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
    }
}
