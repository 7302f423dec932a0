package dev.protocollab.order.grpc;

import dev.protocollab.contracts.order.v1.OrderUpdate;
import dev.protocollab.order.orders.OrderState;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The response side of {@code WatchOrder} and {@code TrackOrders}. Updates arrive from several threads
 * (the call's own, the change listener, re-reads after a resync); this sends each order's versions once
 * and in increasing order, and never writes to the call after it has ended.
 */
final class UpdateStream {

    private final ServerCallStreamObserver<OrderUpdate> responses;
    private final Map<UUID, Long> lastSent = new HashMap<>();
    private boolean ended;

    UpdateStream(ServerCallStreamObserver<OrderUpdate> responses) {
        this.responses = responses;
    }

    /** Sends the state if it is newer than what this client last got for that order. */
    synchronized boolean offer(OrderState state) {
        if (ended || state.version() <= lastSent.getOrDefault(state.id(), 0L)) {
            return false;
        }
        lastSent.put(state.id(), state.version());
        responses.onNext(GrpcMapping.update(state));
        return true;
    }

    synchronized void start(UUID id, long afterVersion) {
        lastSent.merge(id, afterVersion, Math::max);
    }

    synchronized void forget(UUID id) {
        lastSent.remove(id);
    }

    synchronized void complete() {
        if (!ended) {
            ended = true;
            responses.onCompleted();
        }
    }

    synchronized void fail(Status status) {
        if (!ended) {
            ended = true;
            responses.onError(status.asRuntimeException());
        }
    }

    /** The client went away or the deadline passed: nothing more may be written. */
    synchronized void abandon() {
        ended = true;
    }

    synchronized boolean ended() {
        return ended;
    }
}
