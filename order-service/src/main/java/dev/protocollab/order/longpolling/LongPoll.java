package dev.protocollab.order.longpolling;

import dev.protocollab.order.OrdersProperties;
import dev.protocollab.order.changes.OrderChange;
import dev.protocollab.order.changes.OrderChanges;
import dev.protocollab.order.orders.OrderState;
import dev.protocollab.order.orders.Orders;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/**
 * Waits until an order's version passes what the client already has, or the client's wait runs out.
 *
 * <p>The request's thread simply blocks. Tomcat runs each request on a virtual thread
 * ({@code spring.threads.virtual.enabled}), so a parked long poll holds a few hundred bytes of heap and
 * no platform thread: ten thousand waiting clients do not need ten thousand OS threads. The wake-up comes
 * from {@link OrderChanges} (PostgreSQL NOTIFY), so a change made by any instance answers the poll at
 * once; a periodic re-read covers a notification lost while the listener reconnects.
 */
@Component
class LongPoll {

    private final Orders orders;
    private final OrderChanges changes;
    private final Duration recheck;
    private final MeterRegistry meters;

    LongPoll(Orders orders, OrderChanges changes, OrdersProperties properties, MeterRegistry meters) {
        this.orders = orders;
        this.changes = changes;
        this.recheck = properties.longPoll().recheckInterval();
        this.meters = meters;
    }

    /** The order's state once its version is greater than {@code after}; empty if {@code wait} ran out first. */
    Optional<OrderState> awaitNewerThan(String customerId, UUID id, long after, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        Semaphore signal = new Semaphore(0);
        // Subscribe before reading, so a change committed between the read and the wait still wakes us.
        try (OrderChanges.Subscription ignored = changes.subscribe(id, new OrderChanges.Listener() {
            @Override
            public void changed(OrderChange change) {
                if (change.version() > after) {
                    signal.release();
                }
            }

            @Override
            public void resync() {
                signal.release();
            }
        })) {
            while (true) {
                OrderState current = orders.state(customerId, id);
                if (current.version() > after) {
                    count(wait, "changed");
                    return Optional.of(current);
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    count(wait, "timeout");
                    return Optional.empty();
                }
                signal.tryAcquire(Math.min(remaining, recheck.toNanos()), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private void count(Duration wait, String outcome) {
        meters.counter("orders.status.polls", "kind", wait.isZero() ? "short" : "long", "outcome", outcome)
                .increment();
    }
}
