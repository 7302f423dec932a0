package dev.protocollab.stream.broadcast;

/**
 * The transport side of a {@link Mailbox}: SSE response, WebSocket session or gRPC call. The mailbox calls
 * it from one thread at a time, only while {@link #ready()} says the transport will take more.
 *
 * @param <C> the transport's own control messages (acks, errors, relays)
 */
public interface Outlet<C> {

    /** True while the transport has demand: a Reactive Streams request, or gRPC's {@code isReady()}. */
    boolean ready();

    void event(StreamEvent event);

    void gap(Gap gap);

    void control(C message);

    /** The mailbox was closed: the last call this outlet gets. */
    void closed();
}
