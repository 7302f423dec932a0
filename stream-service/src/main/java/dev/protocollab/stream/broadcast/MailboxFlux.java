package dev.protocollab.stream.broadcast;

import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * A mailbox as a Reactive Streams publisher, for the WebFlux transports (SSE, WebSocket). It emits only
 * what the transport requested: Reactor Netty requests more as the socket drains, so a subscriber that
 * stops reading stops requesting, its events wait in its bounded mailbox, and the mailbox's drop-oldest
 * policy applies instead of an unbounded buffer anywhere in between.
 */
public final class MailboxFlux {

    /** Maps what the mailbox delivers to the transport's messages; null skips a delivery. */
    public interface Renderer<C, T> {

        T event(StreamEvent event);

        T gap(Gap gap);

        T control(C message);
    }

    private MailboxFlux() {}

    /** Completes when the mailbox is closed; cancelling closes the mailbox. */
    public static <C, T> Flux<T> of(Mailbox<C> mailbox, Renderer<C, T> renderer) {
        return Flux.create(
                sink -> {
                    sink.onRequest(n -> mailbox.drain());
                    sink.onDispose(mailbox::close);
                    mailbox.attach(new Outlet<>() {
                        @Override
                        public boolean ready() {
                            return sink.requestedFromDownstream() > 0 && !sink.isCancelled();
                        }

                        @Override
                        public void event(StreamEvent event) {
                            emit(sink, renderer.event(event));
                        }

                        @Override
                        public void gap(Gap gap) {
                            emit(sink, renderer.gap(gap));
                        }

                        @Override
                        public void control(C message) {
                            emit(sink, renderer.control(message));
                        }

                        @Override
                        public void closed() {
                            sink.complete();
                        }
                    });
                },
                // The mailbox honours demand itself; Reactor's own buffer would be an unbounded second one.
                FluxSink.OverflowStrategy.IGNORE);
    }

    private static <T> void emit(FluxSink<T> sink, T message) {
        if (message != null) {
            sink.next(message);
        }
    }
}
