package dev.protocollab.stream.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.protocollab.contracts.stream.v1.StreamMessage;
import dev.protocollab.contracts.stream.v1.StreamServiceGrpc;
import dev.protocollab.contracts.stream.v1.SubscribeRequest;
import dev.protocollab.contracts.stream.v1.Topic;
import dev.protocollab.stream.IntegrationTest;
import dev.protocollab.stream.TestClients;
import dev.protocollab.stream.TestEvents;
import dev.protocollab.stream.broadcast.Broadcaster;
import dev.protocollab.stream.broadcast.Mailbox;
import dev.protocollab.stream.broadcast.Transport;
import dev.protocollab.stream.events.OrderUpdate;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.node.ObjectNode;

/** {@code stream.v1.StreamService/Subscribe}: topics change mid-stream, and flow control bounds a stalled call. */
@IntegrationTest
class StreamGrpcIT {

    private static final Logger log = LoggerFactory.getLogger(StreamGrpcIT.class);
    private static final Duration WAIT = Duration.ofSeconds(15);

    @Autowired
    TestClients clients;

    @Autowired
    Broadcaster broadcaster;

    @Autowired
    MeterRegistry meters;

    @Test
    void topicsAreAddedAndRemovedMidStream() throws Exception {
        try (TestClients.Subscription call = clients.subscribe(Topic.TOPIC_ORDERS)) {
            assertThat(call.next(WAIT).getSubscribed().getTopicsList()).containsExactly(Topic.TOPIC_ORDERS);
            ObjectNode first = TestEvents.created("3.00", "EUR");
            clients.publish(first);
            assertThat(call.next(WAIT).getId()).isEqualTo(first.get("id").asString());

            call.change(List.of(Topic.TOPIC_METRICS), List.of());
            assertThat(call.next(WAIT).getSubscribed().getTopicsList())
                    .containsExactly(Topic.TOPIC_ORDERS, Topic.TOPIC_METRICS);
            assertThat(call.next(WAIT).hasMetrics())
                    .as("a window closes every second")
                    .isTrue();

            call.change(List.of(), List.of(Topic.TOPIC_ORDERS));
            assertThat(nextNonMetrics(call).getSubscribed().getTopicsList()).containsExactly(Topic.TOPIC_METRICS);
            ObjectNode unseen = TestEvents.created("4.00", "EUR");
            clients.publish(unseen);
            // The window that counted the order arrives, and no order event came before it.
            StreamMessage window = call.next(WAIT);
            while (window.getMetrics().getEvents() == 0) {
                assertThat(window.hasMetrics())
                        .as("only metrics after orders were removed")
                        .isTrue();
                window = call.next(WAIT);
            }
            assertThat(window.getMetrics().getEvents()).isEqualTo(1);

            call.change(List.of(Topic.TOPIC_ORDERS), List.of(Topic.TOPIC_METRICS));
            assertThat(nextNonMetrics(call).getSubscribed().getTopicsList()).containsExactly(Topic.TOPIC_ORDERS);
            ObjectNode again = TestEvents.created("5.00", "EUR");
            clients.publish(again);
            assertThat(nextNonMetrics(call).getId()).isEqualTo(again.get("id").asString());
        }
    }

    /**
     * A client that stops reading: its HTTP/2 window fills, gRPC's {@code isReady()} turns false, and from
     * then on the server writes nothing more to the call. Its mailbox holds at most {@code
     * stream.subscribers.buffer-size} events and every further event replaces the oldest, so the memory the
     * call holds is flat however many events are published. A client reading at the same time gets every
     * event. When the stalled client reads again it is told how many it missed, then gets the newest.
     */
    @Test
    void aClientThatStopsReadingCostsABoundedBufferAndLearnsWhatItMissed() throws Exception {
        ManagedChannel smallWindow = NettyChannelBuilder.forAddress("127.0.0.1", clients.grpcPort())
                .usePlaintext()
                .flowControlWindow(65_535) // fixed, not auto-tuned: the window fills after 64 KiB unread
                .build();
        Set<Mailbox<?>> before = grpcSubscribers();
        Stalled stalled = new Stalled();
        StreamServiceGrpc.newStub(smallWindow)
                .withCallCredentials(TestClients.bearerToken(clients.token()))
                .withDeadlineAfter(2, TimeUnit.MINUTES)
                .subscribe(stalled)
                .onNext(SubscribeRequest.newBuilder().addAdd(Topic.TOPIC_ORDERS).build());
        Mailbox<?> mailbox = newGrpcSubscriber(before);
        assertThat(stalled.received.poll(WAIT.toSeconds(), TimeUnit.SECONDS).hasSubscribed())
                .isTrue();
        int capacity = mailbox.capacity();
        try (TestClients.Subscription reader = clients.subscribe(Topic.TOPIC_ORDERS)) {
            assertThat(reader.next(WAIT).hasSubscribed()).isTrue();

            // Fill the transport's buffers, then the mailbox. Events are published in-process, in batches
            // that the reading client takes in full before the next (it must not fall behind itself).
            int published = 0;
            // Stalled means: three batches in a row of which the transport took none (the mailbox can fill
            // before the event loop has flushed what the call already took, and then take more).
            int flatBatches = 0;
            while (flatBatches < 3) {
                assertThat(published)
                        .as("the call stops taking events at some point")
                        .isLessThan(50_000);
                long droppedBeforeBatch = mailbox.dropped();
                published = publishBatch(published, reader);
                boolean flat = mailbox.dropped() - droppedBeforeBatch == 100 && mailbox.buffered() == capacity;
                flatBatches = flat ? flatBatches + 1 : 0;
            }
            long droppedBefore = mailbox.dropped();
            int saturatedAt = published;
            long absorbed = saturatedAt - droppedBefore - capacity;

            for (int batch = 0; batch < 50; batch++) {
                published = publishBatch(published, reader);
                assertThat(mailbox.buffered()).isEqualTo(capacity);
            }
            int more = published - saturatedAt;
            log.info(
                    "gRPC stalled call: {} events went into transport buffers before its mailbox ({}) filled;"
                            + " {} more were dropped oldest-first",
                    absorbed,
                    capacity,
                    more);
            assertThat(absorbed)
                    .as("what HTTP/2 flow control lets into the transport is bounded by the window")
                    .isLessThan(1_000);
            assertThat(mailbox.dropped() - droppedBefore)
                    .as("every event past the bound replaced an older one; none went to a buffer elsewhere")
                    .isEqualTo(more);
            assertThat(meters.get("stream.subscribers.buffered")
                            .tag("transport", "grpc")
                            .tag("topic", "orders")
                            .gauge()
                            .value())
                    .as("the reader's buffer is empty, the stalled call's full")
                    .isEqualTo(capacity);

            stalled.requests.request(Integer.MAX_VALUE);
            StreamMessage gap = nextGap(stalled.received);
            assertThat(gap.getGap().getReason()).isEqualTo("slow-consumer");
            assertThat(gap.getGap().getMissed()).isGreaterThanOrEqualTo(more);
            StreamMessage last;
            do {
                last = stalled.received.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(last).as("the newest events follow the gap").isNotNull();
            } while (!last.getId().equals(id(published - 1)));
        } finally {
            stalled.requests.cancel("test done", null);
            smallWindow.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private final String run = UUID.randomUUID().toString();

    private String id(int n) {
        return run + "-" + n;
    }

    private void publishOrder(int n) {
        broadcaster.publish(
                dev.protocollab.stream.broadcast.Topic.ORDERS,
                id(n),
                new OrderUpdate(id(n), "order.created", id(n), "PENDING", null, 1, "1.00", "EUR", Instant.now(), 1));
    }

    private Set<Mailbox<?>> grpcSubscribers() {
        Set<Mailbox<?>> grpc = new HashSet<>();
        for (Mailbox<?> mailbox : broadcaster.subscribers(dev.protocollab.stream.broadcast.Topic.ORDERS)) {
            if (mailbox.transport() == Transport.GRPC) {
                grpc.add(mailbox);
            }
        }
        return grpc;
    }

    /** Publishes 100 events; the reading client must receive every one of them, in order, with no gap. */
    private int publishBatch(int from, TestClients.Subscription reader) throws InterruptedException {
        int to = from + 100;
        for (int n = from; n < to; n++) {
            publishOrder(n);
        }
        for (int n = from; n < to; n++) {
            StreamMessage message = reader.next(WAIT);
            assertThat(message.hasGap()).as("the reading client misses nothing").isFalse();
            assertThat(message.getId()).isEqualTo(id(n));
        }
        return to;
    }

    /** The one gRPC subscriber of the orders topic that was not there before. */
    private Mailbox<?> newGrpcSubscriber(Set<Mailbox<?>> before) {
        List<Mailbox<?>> added = new ArrayList<>();
        await().atMost(WAIT).until(() -> {
            added.clear();
            added.addAll(grpcSubscribers());
            added.removeAll(before);
            return added.size() == 1;
        });
        return added.getFirst();
    }

    private static StreamMessage nextNonMetrics(TestClients.Subscription call) throws InterruptedException {
        StreamMessage message;
        do {
            message = call.next(WAIT);
        } while (message.hasMetrics());
        return message;
    }

    private static StreamMessage nextGap(BlockingQueue<StreamMessage> received) throws InterruptedException {
        while (true) {
            StreamMessage message = received.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(message).as("a gap before the newest events").isNotNull();
            if (message.hasGap()) {
                return message;
            }
        }
    }

    /** Reads the acknowledgement, then nothing: manual flow control with no further request. */
    private static final class Stalled implements ClientResponseObserver<SubscribeRequest, StreamMessage> {

        final BlockingQueue<StreamMessage> received = new LinkedBlockingQueue<>();
        ClientCallStreamObserver<SubscribeRequest> requests;

        @Override
        public void beforeStart(ClientCallStreamObserver<SubscribeRequest> requestStream) {
            this.requests = requestStream;
            requestStream.disableAutoRequestWithInitial(1);
        }

        @Override
        public void onNext(StreamMessage value) {
            received.add(value);
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {}
    }
}
