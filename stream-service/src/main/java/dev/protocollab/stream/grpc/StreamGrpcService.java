package dev.protocollab.stream.grpc;

import dev.protocollab.contracts.stream.v1.StreamMessage;
import dev.protocollab.contracts.stream.v1.StreamServiceGrpc;
import dev.protocollab.contracts.stream.v1.SubscribeRequest;
import dev.protocollab.contracts.stream.v1.WatchRequest;
import dev.protocollab.stream.StreamProperties;
import dev.protocollab.stream.broadcast.Broadcaster;
import dev.protocollab.stream.broadcast.Gap;
import dev.protocollab.stream.broadcast.Mailbox;
import dev.protocollab.stream.broadcast.Outlet;
import dev.protocollab.stream.broadcast.StreamEvent;
import dev.protocollab.stream.broadcast.StreamMeters;
import dev.protocollab.stream.broadcast.Topic;
import dev.protocollab.stream.broadcast.Transport;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Service;

/**
 * {@code stream.v1.StreamService}: the topics of SSE and WebSocket, over gRPC.
 *
 * <p>Flow control: each call has a {@link Mailbox} and sends only while {@code isReady()} is true, that is
 * while the client's HTTP/2 window and gRPC's outbound buffer have room; {@code onReady} resumes sending
 * when the client reads again. A client that stops reading therefore holds at most the transport's
 * buffers plus the mailbox's {@code stream.subscribers.buffer-size} events; beyond that the oldest are
 * dropped and the client is sent a {@code Gap}. Nothing grows without bound, and nobody else waits.
 */
@Service
class StreamGrpcService extends StreamServiceGrpc.StreamServiceImplBase {

    private final Broadcaster broadcaster;
    private final StreamMeters meters;
    private final StreamProperties properties;

    StreamGrpcService(Broadcaster broadcaster, StreamMeters meters, StreamProperties properties) {
        this.broadcaster = broadcaster;
        this.meters = meters;
        this.properties = properties;
    }

    @Override
    public StreamObserver<SubscribeRequest> subscribe(StreamObserver<StreamMessage> observer) {
        Call call = new Call((ServerCallStreamObserver<StreamMessage>) observer);
        return new StreamObserver<>() {
            @Override
            public void onNext(SubscribeRequest request) {
                List<Topic> removed;
                List<Topic> added;
                try {
                    removed = topics(request.getRemoveList(), request.getRemoveValueList());
                    added = topics(request.getAddList(), request.getAddValueList());
                } catch (IllegalArgumentException e) {
                    call.fail(Status.INVALID_ARGUMENT.withDescription(e.getMessage()));
                    return;
                }
                call.remove(removed);
                call.add(added);
            }

            @Override
            public void onError(Throwable t) {
                call.end();
            }

            @Override
            public void onCompleted() {
                call.complete();
            }
        };
    }

    @Override
    public void watch(WatchRequest request, StreamObserver<StreamMessage> observer) {
        Call call = new Call((ServerCallStreamObserver<StreamMessage>) observer);
        List<Topic> topics;
        try {
            topics = topics(request.getTopicsList(), request.getTopicsValueList());
        } catch (IllegalArgumentException e) {
            call.fail(Status.INVALID_ARGUMENT.withDescription(e.getMessage()));
            return;
        }
        if (topics.isEmpty()) {
            call.fail(Status.INVALID_ARGUMENT.withDescription("name at least one topic"));
            return;
        }
        call.add(topics);
    }

    private static List<Topic> topics(List<dev.protocollab.contracts.stream.v1.Topic> topics, List<Integer> values) {
        for (int i = 0; i < topics.size(); i++) {
            if (GrpcMapping.topic(topics.get(i)).isEmpty()) {
                throw new IllegalArgumentException(
                        "unknown topic " + values.get(i) + "; the topics are TOPIC_ORDERS and TOPIC_METRICS");
            }
        }
        return topics.stream().map(t -> GrpcMapping.topic(t).orElseThrow()).toList();
    }

    /** One call's subscription: every write to the call goes through its mailbox, so writes never race. */
    private final class Call implements Outlet<StreamMessage> {

        private final ServerCallStreamObserver<StreamMessage> responses;
        private final Mailbox<StreamMessage> mailbox;
        private final Set<Topic> topics = ConcurrentHashMap.newKeySet();
        private volatile Status ending;

        Call(ServerCallStreamObserver<StreamMessage> responses) {
            this.responses = responses;
            this.mailbox = new Mailbox<>(
                    Transport.GRPC,
                    properties.subscribers().bufferSize(),
                    properties.subscribers().controlBufferSize(),
                    meters);
            responses.setOnReadyHandler(mailbox::drain);
            responses.setOnCancelHandler(this::end);
            mailbox.attach(this);
        }

        void add(List<Topic> requested) {
            // registered before the Subscribed acknowledgement, so nothing published after it is missed (an
            // event may arrive just ahead of the acknowledgement; see StreamWebSocketHandler)
            requested.stream().filter(topics::add).forEach(topic -> broadcaster.subscribe(topic, mailbox));
            acknowledge();
        }

        void remove(List<Topic> requested) {
            requested.forEach(topic -> {
                if (topics.remove(topic)) {
                    broadcaster.unsubscribe(topic, mailbox);
                }
            });
        }

        private void acknowledge() {
            EnumSet<Topic> now = topics.isEmpty() ? EnumSet.noneOf(Topic.class) : EnumSet.copyOf(topics);
            if (!mailbox.offerControl(GrpcMapping.subscribed(now))) {
                fail(Status.RESOURCE_EXHAUSTED.withDescription("too many unread acknowledgements"));
            }
        }

        /** The client half-closed: finish the call. */
        void complete() {
            fail(Status.OK);
        }

        /** Ends the call with this status, unless something else already ended it. */
        void fail(Status status) {
            synchronized (this) {
                if (ending == null) {
                    ending = status;
                }
            }
            release();
        }

        /** The client cancelled or the call broke: nothing more may be written. */
        void end() {
            fail(Status.CANCELLED);
        }

        private void release() {
            broadcaster.unsubscribeAll(mailbox);
            mailbox.close();
        }

        @Override
        public boolean ready() {
            return responses.isReady();
        }

        @Override
        public void event(StreamEvent event) {
            if (topics.contains(event.topic())) {
                responses.onNext(GrpcMapping.event(event));
            }
        }

        @Override
        public void gap(Gap gap) {
            responses.onNext(GrpcMapping.gap(gap));
        }

        @Override
        public void control(StreamMessage message) {
            responses.onNext(message);
        }

        /** Runs once, serialised with every write: the call's end as decided by whoever closed it. */
        @Override
        public void closed() {
            Status status = ending;
            if (status == null) {
                // the broadcaster closed us: the server is shutting down
                responses.onError(Status.UNAVAILABLE
                        .withDescription("the server is shutting down; subscribe again")
                        .asRuntimeException());
            } else if (status.isOk()) {
                responses.onCompleted();
            } else if (status.getCode() != Status.Code.CANCELLED) {
                responses.onError(status.asRuntimeException());
            }
        }
    }
}
