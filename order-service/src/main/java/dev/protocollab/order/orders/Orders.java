package dev.protocollab.order.orders;

import dev.protocollab.order.OrdersProperties;
import dev.protocollab.order.changes.OrderChanges;
import dev.protocollab.order.idempotency.IdempotencyKeyReusedException;
import dev.protocollab.order.idempotency.IdempotencyKeys;
import dev.protocollab.order.outbox.OutboxWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Every change to an order goes through here, and each one, in a single transaction, (1) writes the
 * order, (2) appends its event to the outbox and (3) queues a change notification for waiting pollers
 * (not for a creation, which nobody can be waiting on yet). Because all of it commits or none does, a
 * crash between commit and publish loses nothing: the outbox relay publishes whatever is committed, and
 * never anything that is not.
 */
@Service
public class Orders {

    /** The created order, and whether it was created by an earlier request with the same idempotency key. */
    public record Created(Order order, boolean replayed) {}

    /** One page of a customer's orders. */
    public record Page(List<Order> orders, int page, int size, long totalElements) {

        public int totalPages() {
            return (int) ((totalElements + size - 1) / size);
        }
    }

    private final OrderRepository repository;
    private final IdempotencyKeys idempotencyKeys;
    private final OutboxWriter outbox;
    private final OrderChanges changes;
    private final OrdersProperties.Fulfilment fulfilment;

    Orders(
            OrderRepository repository,
            IdempotencyKeys idempotencyKeys,
            OutboxWriter outbox,
            OrderChanges changes,
            OrdersProperties properties) {
        this.repository = repository;
        this.idempotencyKeys = idempotencyKeys;
        this.outbox = outbox;
        this.changes = changes;
        this.fulfilment = properties.fulfilment();
    }

    /**
     * Creates an order for {@code customerId}. With an idempotency key, a repeat of the same request
     * returns the order the first one created, and a different request under the same key is refused.
     *
     * @throws IdempotencyKeyReusedException when the key was used before for another request
     */
    @Transactional
    public Created create(String customerId, NewOrder request, String idempotencyKey) {
        UUID id = UUID.randomUUID();
        if (idempotencyKey != null) {
            Optional<IdempotencyKeys.Claim> earlier =
                    idempotencyKeys.claim(customerId, idempotencyKey, request.fingerprint(), id);
            if (earlier.isPresent()) {
                if (!earlier.get().requestHash().equals(request.fingerprint())) {
                    throw new IdempotencyKeyReusedException(idempotencyKey);
                }
                return new Created(repository.find(earlier.get().orderId()).orElseThrow(), true);
            }
        }
        Instant now = now();
        Order order = new Order(
                id, customerId, OrderStatus.PENDING, 1, request.currency(), request.total(), request.items(), now, now);
        repository.insert(order, dueAfter(OrderStatus.PENDING, now));
        outbox.orderCreated(order);
        // No change announcement: nobody can be waiting on an order before it exists (a long poll or a
        // watch reads the order, NOT_FOUND until this commits, after subscribing), and a NOTIFY would make
        // this commit take PostgreSQL's database-wide notify lock and hold it through the WAL flush, which
        // serialised every create under load (docs/benchmarks.md, scenario 4).
        return new Created(order, false);
    }

    /** @throws OrderNotFoundException when there is no such order for this customer */
    @Transactional(readOnly = true)
    public Order get(String customerId, UUID id) {
        return repository
                .find(id)
                .filter(o -> o.belongsTo(customerId))
                .orElseThrow(() -> new OrderNotFoundException(id));
    }

    /**
     * Any customer's order: for callers trusted with every order (a service enriching events).
     *
     * @throws OrderNotFoundException when there is no such order
     */
    @Transactional(readOnly = true)
    public Order get(UUID id) {
        return repository.find(id).orElseThrow(() -> new OrderNotFoundException(id));
    }

    /** @throws OrderNotFoundException when there is no such order for this customer */
    @Transactional(readOnly = true)
    public OrderState state(String customerId, UUID id) {
        return repository
                .state(id)
                .filter(s -> s.customerId().equals(customerId))
                .orElseThrow(() -> new OrderNotFoundException(id));
    }

    @Transactional(readOnly = true)
    public Page list(String customerId, OrderStatus status, int page, int size) {
        return new Page(
                repository.page(customerId, status, page * size, size),
                page,
                size,
                repository.count(customerId, status));
    }

    /**
     * Cancels the order if it is still cancellable.
     *
     * @param expectedVersion the version the caller last saw, or empty to cancel whatever is current
     * @throws StaleVersionException when the caller's version is not the current one
     * @throws OrderNotCancellableException once the order has shipped
     */
    @Transactional
    public Order cancel(String customerId, UUID id, OptionalLong expectedVersion) {
        Order current = repository
                .findForUpdate(id)
                .filter(o -> o.belongsTo(customerId))
                .orElseThrow(() -> new OrderNotFoundException(id));
        if (expectedVersion.isPresent() && expectedVersion.getAsLong() != current.version()) {
            throw new StaleVersionException(id, expectedVersion.getAsLong(), current.version());
        }
        if (!current.status().isCancellable()) {
            throw new OrderNotCancellableException(id, current.status());
        }
        return moveTo(current, OrderStatus.CANCELLED);
    }

    /**
     * Moves the order one step along fulfilment, if it has a next step. Called by the fulfilment worker
     * inside the transaction that locked the order.
     */
    @Transactional
    public Optional<Order> advance(UUID id) {
        return repository
                .findForUpdate(id)
                .flatMap(current -> current.status().next().map(next -> moveTo(current, next)));
    }

    private Order moveTo(Order current, OrderStatus next) {
        Instant now = now();
        Order changed = new Order(
                current.id(),
                current.customerId(),
                next,
                current.version() + 1,
                current.currency(),
                current.total(),
                current.items(),
                current.createdAt(),
                now);
        if (!repository.updateStatus(changed, dueAfter(next, now))) {
            // Unreachable while the row is locked; kept so a future unlocked caller fails loudly.
            throw new StaleVersionException(current.id(), current.version(), current.version() + 1);
        }
        outbox.orderStatusChanged(changed, current.status());
        changes.announce(changed.id(), changed.status(), changed.version(), changed.updatedAt());
        return changed;
    }

    private Instant dueAfter(OrderStatus status, Instant now) {
        if (!fulfilment.enabled()) {
            return null;
        }
        Duration delay = switch (status) {
            case PENDING -> fulfilment.confirmAfter();
            case CONFIRMED -> fulfilment.shipAfter();
            case SHIPPED -> fulfilment.deliverAfter();
            case DELIVERED, CANCELLED -> null;
        };
        return delay == null ? null : now.plus(delay);
    }

    /** Microseconds: what PostgreSQL keeps, so a value read back equals the value written. */
    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
