package dev.protocollab.order.fulfilment;

import dev.protocollab.order.OrdersProperties;
import dev.protocollab.order.orders.FulfilmentQueue;
import dev.protocollab.order.orders.Orders;
import java.time.Instant;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The asynchronous half of "place an order": a stand-in for a warehouse that confirms, ships and delivers
 * each order after configurable delays.
 *
 * <p>The schedule lives in the order rows ({@code next_transition_at}), not in in-memory timers, so a
 * restart loses nothing and any instance may move any order. Each tick locks the due rows with {@code FOR
 * UPDATE SKIP LOCKED}: instances share the work without blocking on, or repeating, each other's rows.
 */
@Component
@ConditionalOnProperty(name = "orders.fulfilment.enabled", havingValue = "true", matchIfMissing = true)
class FulfilmentWorker {

    private static final Logger log = LoggerFactory.getLogger(FulfilmentWorker.class);

    private final FulfilmentQueue queue;
    private final Orders orders;
    private final TransactionTemplate transactions;
    private final int batchSize;

    FulfilmentWorker(
            FulfilmentQueue queue, Orders orders, TransactionTemplate transactions, OrdersProperties properties) {
        this.queue = queue;
        this.orders = orders;
        this.transactions = transactions;
        this.batchSize = properties.fulfilment().batchSize();
    }

    @Scheduled(fixedDelayString = "${orders.fulfilment.poll-interval:250ms}")
    void advanceDueOrders() {
        try {
            Integer moved;
            do {
                moved = transactions.execute(tx -> {
                    int count = 0;
                    for (UUID id : queue.lockDue(Instant.now(), batchSize)) {
                        if (orders.advance(id).isPresent()) {
                            count++;
                        }
                    }
                    return count;
                });
            } while (moved != null && moved == batchSize);
        } catch (RuntimeException e) {
            // The rows stay due; the next tick tries again.
            log.warn("Fulfilment tick failed: {}", e.getMessage());
        }
    }
}
