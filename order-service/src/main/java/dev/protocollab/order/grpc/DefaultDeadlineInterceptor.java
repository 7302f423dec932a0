package dev.protocollab.order.grpc;

import dev.protocollab.order.OrdersProperties;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.core.annotation.Order;
import org.springframework.grpc.server.GlobalServerInterceptor;
import org.springframework.stereotype.Component;

/**
 * A call that arrives without a deadline gets the server's default ({@code orders.grpc.default-deadline},
 * longer for streams): no forgotten client holds a stream, or the work behind a call, forever. When it
 * passes, the call's context is cancelled (services stop their work) and the call is closed with
 * {@code DEADLINE_EXCEEDED}, as if the client had asked for that deadline.
 */
@Component
@GlobalServerInterceptor
@Order(0)
class DefaultDeadlineInterceptor implements ServerInterceptor, DisposableBean {

    private final Duration unary;
    private final Duration stream;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("grpc-default-deadline").daemon().factory());

    DefaultDeadlineInterceptor(OrdersProperties properties) {
        this.unary = properties.grpc().defaultDeadline();
        this.stream = properties.grpc().defaultStreamDeadline();
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (Context.current().getDeadline() != null) {
            return next.startCall(call, headers);
        }
        MethodDescriptor.MethodType type = call.getMethodDescriptor().getType();
        Duration deadline = type == MethodDescriptor.MethodType.UNARY ? unary : stream;
        Context.CancellableContext context =
                Context.current().withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS, timer);
        SerializedCall<Q, R> serialized = new SerializedCall<>(call);
        context.addListener(
                cancelled -> {
                    if (cancelled.cancellationCause() instanceof TimeoutException) {
                        serialized.close(
                                Status.DEADLINE_EXCEEDED.withDescription(
                                        "the server's default deadline of " + deadline + " passed"),
                                new Metadata());
                    }
                },
                Runnable::run);
        ServerCall.Listener<Q> listener = Contexts.interceptCall(context, serialized, headers, next);
        // Release the timer as soon as the call ends, rather than when the deadline would have passed.
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onComplete() {
                try {
                    super.onComplete();
                } finally {
                    context.cancel(null);
                }
            }

            @Override
            public void onCancel() {
                try {
                    super.onCancel();
                } finally {
                    context.cancel(null);
                }
            }
        };
    }

    @Override
    public void destroy() {
        timer.shutdownNow();
    }

    /**
     * Closing from the timer races the service's own writes; this serialises every write to the call
     * and drops those that come after it was closed.
     */
    private static final class SerializedCall<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {

        private boolean closed;

        SerializedCall(ServerCall<Q, R> call) {
            super(call);
        }

        @Override
        public synchronized void sendHeaders(Metadata headers) {
            if (!closed) {
                super.sendHeaders(headers);
            }
        }

        @Override
        public synchronized void sendMessage(R message) {
            if (!closed) {
                super.sendMessage(message);
            }
        }

        @Override
        public synchronized void close(Status status, Metadata trailers) {
            if (!closed) {
                closed = true;
                super.close(status, trailers);
            }
        }
    }
}
