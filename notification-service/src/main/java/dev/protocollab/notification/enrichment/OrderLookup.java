package dev.protocollab.notification.enrichment;

import dev.protocollab.contracts.order.v1.GetOrderRequest;
import dev.protocollab.contracts.order.v1.Order;
import dev.protocollab.contracts.order.v1.OrderServiceGrpc;
import dev.protocollab.notification.inbox.Notification;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.retry.Retry;
import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks an order up in order-service ({@code GetOrder}) to enrich a notification. Each attempt has a
 * deadline; only {@code UNAVAILABLE} is retried (nothing was done, so trying again is safe and may reach
 * another instance); a circuit breaker stops calling an order-service that keeps failing. Whatever goes
 * wrong, the answer is "no details", never an exception: the notification is then stored from the event
 * alone, marked not enriched, so an order-service outage delays nobody's notifications.
 */
public class OrderLookup {

    private static final Logger log = LoggerFactory.getLogger(OrderLookup.class);
    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final OrderServiceGrpc.OrderServiceBlockingStub orders;
    private final ServiceToken token;
    private final Duration deadline;
    private final MeterRegistry meters;
    private final CircuitBreaker breaker;
    private final Retry retry;

    OrderLookup(
            OrderServiceGrpc.OrderServiceBlockingStub orders,
            ServiceToken token,
            Duration deadline,
            CircuitBreaker breaker,
            Retry retry,
            MeterRegistry meters) {
        this.orders = orders;
        this.token = token;
        this.deadline = deadline;
        this.meters = meters;
        this.breaker = breaker;
        this.retry = retry;
    }

    /** The order's details, or empty when order-service does not answer, refuses, or does not know it. */
    public Optional<OrderDetails> find(UUID orderId) {
        // Retry outside the breaker (Resilience4j's own order): each attempt counts in the breaker, and
        // an open breaker's CallNotPermittedException is not UNAVAILABLE, so it is not retried.
        Supplier<Order> guarded =
                Retry.decorateSupplier(retry, CircuitBreaker.decorateSupplier(breaker, () -> call(orderId)));
        try {
            Order order = guarded.get();
            count("enriched");
            return Optional.of(new OrderDetails(order.getItemsList().stream()
                    .map(item -> new Notification.Item(item.getSku(), item.getQuantity(), item.getUnitPrice()))
                    .toList()));
        } catch (CallNotPermittedException e) {
            count("breaker-open");
            return Optional.empty();
        } catch (StatusRuntimeException e) {
            count(e.getStatus().getCode() == Status.Code.NOT_FOUND ? "not-found" : "failed");
            log.debug("GetOrder {} failed: {}", orderId, e.getStatus());
            return Optional.empty();
        } catch (RuntimeException e) {
            count("failed");
            log.warn("Cannot enrich order {}: {}", orderId, e.toString());
            return Optional.empty();
        }
    }

    private Order call(UUID orderId) {
        String bearer = token.value();
        try {
            return orders.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS)
                    .withCallCredentials(bearer(bearer))
                    .getOrder(GetOrderRequest.newBuilder()
                            .setId(orderId.toString())
                            .build());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.UNAUTHENTICATED) {
                token.invalidate(); // the next call asks the issuer for a fresh one
            }
            throw e;
        }
    }

    private void count(String outcome) {
        meters.counter("notifications.enrichment", "outcome", outcome).increment();
    }

    private static CallCredentials bearer(String token) {
        return new CallCredentials() {
            @Override
            public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
                Metadata metadata = new Metadata();
                metadata.put(AUTHORIZATION, "Bearer " + token);
                applier.apply(metadata);
            }
        };
    }
}
