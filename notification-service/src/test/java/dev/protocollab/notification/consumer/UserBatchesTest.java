package dev.protocollab.notification.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.protocollab.notification.inbox.NewNotification;
import dev.protocollab.notification.inbox.Notification;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class UserBatchesTest {

    private final ExecutorService callers = Executors.newCachedThreadPool();
    private final List<List<String>> batches = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        callers.shutdownNow();
    }

    @Test
    void whatQueuesForAUserWhileOneBatchIsBeingStoredIsStoredAsTheNextBatchAndEveryCallerGetsItsOwnResult()
            throws Exception {
        CountDownLatch firstBatchMayCommit = new CountDownLatch(1);
        UserBatches userBatches = new UserBatches(
                recording(drafts -> {
                    if (batches.size() == 1) {
                        hold(firstBatchMayCommit);
                    }
                    return numbered(drafts);
                }),
                size -> {});

        Future<Optional<Notification>> first = call(userBatches, draft("alice", "a"));
        await().until(() -> batches.size() == 1);
        List<Future<Optional<Notification>>> waiting = new ArrayList<>();
        for (String order : List.of("b", "c", "d")) {
            waiting.add(call(userBatches, draft("alice", order)));
        }
        awaitWaiting(4); // the first caller inside the store, three on the lane's lock
        firstBatchMayCommit.countDown();

        assertThat(first.get(10, TimeUnit.SECONDS)).map(Notification::orderId).isPresent();
        for (Future<Optional<Notification>> caller : waiting) {
            assertThat(caller.get(10, TimeUnit.SECONDS)).isPresent();
        }
        assertThat(batches).hasSize(2);
        assertThat(batches.get(1)).containsExactlyInAnyOrder("b", "c", "d");
    }

    @Test
    void whenABatchFailsEachOfItsNotificationsIsTriedAloneSoOnlyTheBadOneFails() throws Exception {
        CountDownLatch firstBatchMayCommit = new CountDownLatch(1);
        UserBatches userBatches = new UserBatches(
                recording(drafts -> {
                    if (batches.size() == 1) {
                        hold(firstBatchMayCommit);
                    }
                    if (drafts.stream().anyMatch(d -> d.status().equals("bad"))) {
                        throw new IllegalStateException("cannot store " + drafts.size());
                    }
                    return numbered(drafts);
                }),
                size -> {});

        Future<Optional<Notification>> first = call(userBatches, draft("alice", "a"));
        await().until(() -> batches.size() == 1);
        Future<Optional<Notification>> good = call(userBatches, draft("alice", "good"));
        Future<Optional<Notification>> bad = call(userBatches, draft("alice", "bad"));
        awaitWaiting(3);
        firstBatchMayCommit.countDown();

        assertThat(first.get(10, TimeUnit.SECONDS)).isPresent();
        assertThat(good.get(10, TimeUnit.SECONDS)).isPresent();
        assertThatThrownBy(() -> bad.get(10, TimeUnit.SECONDS)).hasRootCauseMessage("cannot store 1");
        assertThat(batches.get(1)).containsExactlyInAnyOrder("good", "bad");
    }

    @Test
    void differentUsersDoNotWaitForEachOther() throws Exception {
        CountDownLatch aliceMayCommit = new CountDownLatch(1);
        UserBatches userBatches = new UserBatches(
                recording(drafts -> {
                    if (drafts.get(0).userId().equals("alice")) {
                        hold(aliceMayCommit);
                    }
                    return numbered(drafts);
                }),
                size -> {});

        Future<Optional<Notification>> alice = call(userBatches, draft("alice", "a"));
        await().until(() -> batches.size() == 1);

        assertThat(call(userBatches, draft("bob", "b")).get(10, TimeUnit.SECONDS))
                .isPresent();
        assertThat(alice).isNotDone();
        aliceMayCommit.countDown();
        assertThat(alice.get(10, TimeUnit.SECONDS)).isPresent();
    }

    private void awaitWaiting(int callers) {
        await().until(() -> threads.stream()
                        .filter(t -> t.getState() == Thread.State.WAITING)
                        .count()
                >= callers);
    }

    private Future<Optional<Notification>> call(UserBatches userBatches, NewNotification draft) {
        CompletableFuture<Optional<Notification>> result = new CompletableFuture<>();
        callers.execute(() -> {
            threads.add(Thread.currentThread());
            try {
                result.complete(userBatches.store(draft));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /** Records each batch by its drafts' statuses (used as names here), then stores it with {@code store}. */
    private Function<List<NewNotification>, List<Optional<Notification>>> recording(
            Function<List<NewNotification>, List<Optional<Notification>>> store) {
        return drafts -> {
            batches.add(drafts.stream().map(NewNotification::status).toList());
            return store.apply(drafts);
        };
    }

    private static List<Optional<Notification>> numbered(List<NewNotification> drafts) {
        List<Optional<Notification>> stored = new ArrayList<>();
        for (int i = 0; i < drafts.size(); i++) {
            NewNotification d = drafts.get(i);
            stored.add(Optional.of(new Notification(
                    d.userId(),
                    i + 1,
                    d.eventId(),
                    d.type(),
                    d.orderId(),
                    d.status(),
                    null,
                    1,
                    "1.00",
                    "EUR",
                    null,
                    false,
                    d.occurredAt())));
        }
        return stored;
    }

    private static void hold(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static NewNotification draft(String user, String name) {
        return new NewNotification(
                user,
                UUID.randomUUID(),
                "order.created",
                UUID.randomUUID(),
                name,
                null,
                1,
                "1.00",
                "EUR",
                null,
                false,
                Instant.now());
    }
}
