package dev.protocollab.order.orders;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/** The orders whose next fulfilment step is due, as fulfilment sees them. */
@Component
public class FulfilmentQueue {

    private final OrderRepository repository;

    FulfilmentQueue(OrderRepository repository) {
        this.repository = repository;
    }

    /** Locks up to {@code limit} due orders in the caller's transaction, skipping rows others hold. */
    @Transactional(propagation = Propagation.MANDATORY)
    public List<UUID> lockDue(Instant now, int limit) {
        return repository.lockDue(now, limit);
    }
}
