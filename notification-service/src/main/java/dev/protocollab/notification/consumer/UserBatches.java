package dev.protocollab.notification.consumer;

import dev.protocollab.notification.inbox.NewNotification;
import dev.protocollab.notification.inbox.Notification;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.IntConsumer;

/**
 * Group commit per user: the consumers that hold notifications of the same user at the same moment store
 * them in one transaction, under one acquisition of that user's row lock, instead of queueing on the lock
 * one by one (docs/adr/0102).
 *
 * <p>Each caller queues its notification on the user's lane and takes the lane's lock; whoever holds it
 * drains what is queued (its own notification and any that arrived meanwhile, in arrival order) and stores
 * it with {@code store}, then hands each waiting caller its result. A caller whose notification was stored
 * by another returns as soon as it gets the lock. So every caller returns only after its notification
 * committed (or failed), which is what lets the listener acknowledge its message then and not before.
 *
 * <p>If a batch of several fails, each of its notifications is tried alone, so one that can never be
 * stored fails only its own message (retried, then dead-lettered) and not its neighbours'.
 */
final class UserBatches {

    private final Function<List<NewNotification>, List<Optional<Notification>>> store;
    private final IntConsumer batchSizes;
    private final ConcurrentHashMap<String, Lane> lanes = new ConcurrentHashMap<>();

    /**
     * @param store stores one user's notifications in one transaction, returning for each the stored
     *     notification or empty (a duplicate)
     * @param batchSizes told the size of every batch stored
     */
    UserBatches(Function<List<NewNotification>, List<Optional<Notification>>> store, IntConsumer batchSizes) {
        this.store = store;
        this.batchSizes = batchSizes;
    }

    /** Stores {@code draft}, in a batch with others of its user if there are any; empty for a duplicate. */
    Optional<Notification> store(NewNotification draft) {
        Pending pending = new Pending(draft);
        Lane lane = lanes.compute(draft.userId(), (user, existing) -> {
            Lane joined = existing == null ? new Lane() : existing;
            joined.callers++;
            return joined;
        });
        try {
            lane.queue.add(pending);
            while (!pending.done) {
                lane.lock.lock();
                try {
                    if (!pending.done) {
                        storeNext(lane);
                    }
                } finally {
                    lane.lock.unlock();
                }
            }
        } finally {
            lanes.computeIfPresent(draft.userId(), (user, joined) -> --joined.callers == 0 ? null : joined);
        }
        return pending.result();
    }

    /** Under the lane's lock: stores what is queued and settles every caller it belongs to. */
    private void storeNext(Lane lane) {
        List<Pending> batch = new ArrayList<>();
        for (Pending next; (next = lane.queue.poll()) != null; ) {
            batch.add(next);
        }
        try {
            batchSizes.accept(batch.size());
            settle(batch, store.apply(batch.stream().map(p -> p.draft).toList()));
        } catch (RuntimeException batchFailure) {
            if (batch.size() == 1) {
                batch.get(0).fail(batchFailure);
            } else {
                for (Pending alone : batch) {
                    try {
                        settle(List.of(alone), store.apply(List.of(alone.draft)));
                    } catch (RuntimeException failure) {
                        alone.fail(failure);
                    }
                }
            }
        } finally {
            // An Error, or a store that answered too few: no caller may wait for ever.
            for (Pending pending : batch) {
                if (!pending.done) {
                    pending.fail(new IllegalStateException("notification batch was not stored"));
                }
            }
        }
    }

    private static void settle(List<Pending> batch, List<Optional<Notification>> results) {
        for (int i = 0; i < batch.size() && i < results.size(); i++) {
            batch.get(i).succeed(results.get(i));
        }
    }

    /** One user's queue of notifications waiting to be stored, and the lock whoever stores them holds. */
    private static final class Lane {
        final Queue<Pending> queue = new ConcurrentLinkedQueue<>();
        final ReentrantLock lock = new ReentrantLock();
        /** Callers between joining and leaving; changed only inside the map's compute, so under its lock. */
        int callers;
    }

    /** A caller's notification and, once settled, its outcome; read by the caller after the lane's lock. */
    private static final class Pending {
        final NewNotification draft;
        private volatile boolean done;
        private Optional<Notification> stored;
        private RuntimeException failure;

        Pending(NewNotification draft) {
            this.draft = draft;
        }

        void succeed(Optional<Notification> result) {
            stored = result;
            done = true;
        }

        void fail(RuntimeException cause) {
            failure = cause;
            done = true;
        }

        Optional<Notification> result() {
            if (failure != null) {
                throw failure;
            }
            return stored;
        }
    }
}
