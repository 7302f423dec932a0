package dev.protocollab.notification.live;

import dev.protocollab.notification.inbox.Inbox;
import dev.protocollab.notification.inbox.Notification;
import io.micrometer.core.instrument.Counter;
import java.util.List;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One client connection's view of a user's notifications (a WebSocket session or an SSE stream): it
 * sends every notification after the position the client resumed from, in sequence order, each exactly
 * once, whether the notification arrives by fan-out, was missed while the client was away, or was
 * skipped by a lost fan-out message.
 *
 * <p>The only state is {@code lastSent}. Fan-out arrivals wait in a small buffer; a single writer at a
 * time (a virtual thread, started on demand) sends the buffered ones that directly follow
 * {@code lastSent} and reads the database whenever there is a gap. Duplicates (a notification already
 * sent, a fan-out message delivered twice) are dropped because their number is not above
 * {@code lastSent}.
 */
public final class Connection implements Subscriber {

    /** Where the notifications go. */
    public interface Sink {

        /** Sends one notification; an exception means the connection is broken. */
        void send(Notification notification) throws Exception;

        /** The connection broke while sending: close it; the client resumes from what it got. */
        void broken(Exception cause);
    }

    private final String userId;
    private final String channel;
    private final Sink sink;
    private final Inbox inbox;
    private final Executor writers;
    private final Counter delivered;
    private final int maxBuffered;
    private final int batchSize;
    private final NavigableMap<Long, Notification> buffer = new ConcurrentSkipListMap<>();
    private final AtomicBoolean writing = new AtomicBoolean();
    private final AtomicBoolean pending = new AtomicBoolean();
    private volatile boolean readDatabase = true; // the first run replays what the client missed
    private volatile long lastSent;
    private volatile boolean closed;
    private LocalSubscribers.Subscription subscription;

    Connection(
            String userId,
            long after,
            String channel,
            Sink sink,
            Inbox inbox,
            Executor writers,
            Counter delivered,
            int maxBuffered,
            int batchSize) {
        this.userId = userId;
        this.lastSent = after;
        this.channel = channel;
        this.sink = sink;
        this.inbox = inbox;
        this.writers = writers;
        this.delivered = delivered;
        this.maxBuffered = maxBuffered;
        this.batchSize = batchSize;
    }

    /** Subscribes first and replays second, so nothing stored in between can fall through. */
    void open(LocalSubscribers subscribers) {
        subscription = subscribers.subscribe(userId, this);
        schedule();
    }

    public void close() {
        closed = true;
        if (subscription != null) {
            subscription.close();
        }
        buffer.clear();
    }

    /** The sequence number of the last notification sent on this connection. */
    public long lastSent() {
        return lastSent;
    }

    public String userId() {
        return userId;
    }

    @Override
    public String channel() {
        return channel;
    }

    @Override
    public void offer(Notification notification) {
        if (closed || notification.seq() <= lastSent) {
            return;
        }
        if (buffer.size() >= maxBuffered) {
            // A client this far behind is caught up from the database instead of from memory.
            buffer.clear();
            readDatabase = true;
        } else {
            buffer.put(notification.seq(), notification);
        }
        schedule();
    }

    @Override
    public void caughtUpTo(long lastSeq) {
        if (!closed && lastSeq > lastSent) {
            readDatabase = true;
            schedule();
        }
    }

    private void schedule() {
        pending.set(true);
        if (writing.compareAndSet(false, true)) {
            writers.execute(this::write);
        }
    }

    /** The single writer: runs until nothing is pending, then lets the next {@link #schedule()} start one. */
    private void write() {
        try {
            while (pending.getAndSet(false) && !closed) {
                sendWhatFollows();
            }
        } catch (Exception e) {
            closed = true;
            sink.broken(e);
            return;
        } finally {
            writing.set(false);
        }
        if (pending.get() && !closed && writing.compareAndSet(false, true)) {
            writers.execute(this::write);
        }
    }

    private void sendWhatFollows() throws Exception {
        while (!closed) {
            buffer.headMap(lastSent, true).clear();
            Notification next = buffer.isEmpty() ? null : buffer.firstEntry().getValue();
            if (next != null && next.seq() == lastSent + 1) {
                send(List.of(buffer.pollFirstEntry().getValue()));
                continue;
            }
            if (next == null && !readDatabase) {
                return;
            }
            // A gap (next is beyond lastSent + 1) or a replay or recheck: the database has the truth.
            readDatabase = false;
            List<Notification> missed = inbox.after(userId, lastSent, batchSize);
            if (missed.isEmpty()) {
                return;
            }
            send(missed);
            readDatabase = missed.size() == batchSize;
        }
    }

    private void send(List<Notification> notifications) throws Exception {
        for (Notification notification : notifications) {
            if (notification.seq() <= lastSent || closed) {
                continue;
            }
            // Recorded before the send: a fast client may acknowledge the message before sendMessage
            // returns, and an ack above lastSent closes the socket (1008). A failed send breaks the
            // connection anyway, so nothing is claimed that a live connection did not get.
            lastSent = notification.seq();
            sink.send(notification);
            delivered.increment();
        }
    }
}
