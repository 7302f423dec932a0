package dev.protocollab.notification.polling;

import dev.protocollab.notification.NotificationsProperties;
import dev.protocollab.notification.inbox.Inbox;
import dev.protocollab.notification.inbox.Notification;
import dev.protocollab.notification.live.LocalSubscribers;
import dev.protocollab.notification.live.Subscriber;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/**
 * Waits until the user has a notification after {@code after}, or the client's wait runs out.
 *
 * <p>The request's thread simply blocks: Tomcat runs each request on a virtual thread, so a parked long
 * poll holds a little heap and no platform thread. The wake-up is the same fan-out that feeds WebSocket
 * and SSE, so a notification stored by any instance answers a poll held by any other; the periodic
 * recheck of {@link LocalSubscribers} covers a fan-out message lost on the way.
 */
@Component
class LongPoll {

    private final Inbox inbox;
    private final LocalSubscribers subscribers;
    private final Duration recheck;

    LongPoll(Inbox inbox, LocalSubscribers subscribers, NotificationsProperties properties) {
        this.inbox = inbox;
        this.subscribers = subscribers;
        this.recheck = properties.live().recheckInterval();
    }

    /** Up to {@code limit} notifications after {@code after}; empty only if none arrived within {@code wait}. */
    List<Notification> awaitAfter(String userId, long after, Duration wait, int limit) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        Semaphore signal = new Semaphore(0);
        Subscriber waiter = new Subscriber() {
            @Override
            public void offer(Notification notification) {
                if (notification.seq() > after) {
                    signal.release();
                }
            }

            @Override
            public void caughtUpTo(long lastSeq) {
                if (lastSeq > after) {
                    signal.release();
                }
            }

            @Override
            public String channel() {
                return "long-poll";
            }
        };
        // Subscribe before reading, so a notification stored between the read and the wait still wakes us.
        try (LocalSubscribers.Subscription ignored = subscribers.subscribe(userId, waiter)) {
            while (true) {
                List<Notification> found = inbox.after(userId, after, limit);
                long remaining = deadline - System.nanoTime();
                if (!found.isEmpty() || remaining <= 0) {
                    return found;
                }
                signal.tryAcquire(Math.min(remaining, recheck.toNanos()), TimeUnit.NANOSECONDS);
            }
        }
    }
}
