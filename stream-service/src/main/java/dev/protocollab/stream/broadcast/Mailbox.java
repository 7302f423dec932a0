package dev.protocollab.stream.broadcast;

import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscriber's queue: the slow-consumer policy lives here.
 *
 * <p>The broadcaster offers every event to every mailbox and never waits. A mailbox holds at most
 * {@code capacity} undelivered events; when a new one arrives and it is full, the oldest is dropped and
 * counted, and before the next event the subscriber gets a {@link Gap} saying how many it missed. So a
 * stalled subscriber costs a bounded amount of memory and no one else's time, and a subscriber that
 * recovers knows exactly what it lost.
 *
 * <p>Control messages (acks, errors, signaling relays) are never dropped silently: they have their own
 * small bound, and {@link #offerControl} refuses when it is reached so the transport can disconnect a
 * client that sends without reading.
 *
 * <p>Delivery runs on whichever thread makes progress possible (a new event, or the transport asking for
 * more) and is serialised by a work-in-progress counter, so no lock is held while the transport writes
 * and no thread ever waits for another.
 */
public final class Mailbox<C> {

    private static final Logger log = LoggerFactory.getLogger(Mailbox.class);

    private record Control(Object message) {}

    private final Transport transport;
    private final int capacity;
    private final int controlCapacity;
    private final StreamMeters meters;

    // guarded by this
    private final ArrayDeque<StreamEvent> events = new ArrayDeque<>();
    private final ArrayDeque<StreamEvent> replay = new ArrayDeque<>();
    private final ArrayDeque<Control> controls = new ArrayDeque<>();
    private final ArrayDeque<Gap> notices = new ArrayDeque<>();
    private final Map<Topic, Long> missed = new EnumMap<>(Topic.class);
    private long dropped;

    private final AtomicInteger wip = new AtomicInteger();
    private volatile Outlet<C> outlet;
    private volatile boolean closing;
    private boolean closedDelivered; // only touched inside the drain loop

    public Mailbox(Transport transport, int capacity, int controlCapacity, StreamMeters meters) {
        this.transport = transport;
        this.capacity = capacity;
        this.controlCapacity = controlCapacity;
        this.meters = meters;
    }

    public Transport transport() {
        return transport;
    }

    /** Connects the transport; whatever arrived before is delivered as soon as it is ready. */
    public void attach(Outlet<C> outlet) {
        this.outlet = outlet;
        drain();
    }

    /** Called by the broadcaster for each event of a subscribed topic. Never blocks. */
    void offer(StreamEvent event) {
        if (closing) {
            return;
        }
        synchronized (this) {
            if (events.size() >= capacity) {
                StreamEvent oldest = events.removeFirst();
                missed.merge(oldest.topic(), 1L, Long::sum);
                dropped++;
                meters.dropped(transport, oldest.topic());
            }
            events.addLast(event);
        }
        drain();
    }

    /** Events a resuming subscriber missed, delivered before anything live; bounded by the ring. */
    void replay(List<StreamEvent> missedEvents) {
        synchronized (this) {
            replay.addAll(missedEvents);
        }
        drain();
    }

    /** A notice delivered before any event, such as "your resume point is gone". */
    void notice(Gap gap) {
        synchronized (this) {
            notices.addLast(gap);
        }
        drain();
    }

    /**
     * Queues a control message; false when the client already has {@code controlCapacity} of them unread,
     * in which case the caller should disconnect it rather than buffer more.
     */
    public boolean offerControl(C message) {
        if (closing) {
            return false;
        }
        synchronized (this) {
            if (controls.size() >= controlCapacity) {
                return false;
            }
            controls.addLast(new Control(message));
        }
        drain();
        return true;
    }

    /** Ends delivery: undelivered entries are discarded and the outlet's {@code closed()} is called once. */
    public void close() {
        closing = true;
        drain();
    }

    public boolean isClosed() {
        return closing;
    }

    /** Undelivered events right now (replayed and control messages not counted): at most the capacity. */
    public synchronized int buffered() {
        return events.size();
    }

    /** Events dropped for this subscriber since it connected. */
    public synchronized long dropped() {
        return dropped;
    }

    public int capacity() {
        return capacity;
    }

    /** Delivers while the outlet is ready; safe to call from any thread, at any time. */
    public void drain() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        int pass = 1;
        do {
            Outlet<C> current = outlet;
            if (current != null && !closedDelivered) {
                try {
                    while (!closing && current.ready() && deliverNext(current)) {
                        // keep going while there is demand and something to send
                    }
                } catch (RuntimeException e) {
                    log.debug("{} subscriber failed to take a message; closing it", transport.tag(), e);
                    closing = true;
                }
                if (closing) {
                    closedDelivered = true;
                    discard();
                    try {
                        current.closed();
                    } catch (RuntimeException e) {
                        log.debug("{} subscriber failed while closing", transport.tag(), e);
                    }
                }
            } else if (current == null && closing) {
                discard();
            }
            pass = wip.addAndGet(-pass);
        } while (pass != 0);
    }

    @SuppressWarnings("unchecked")
    private boolean deliverNext(Outlet<C> current) {
        Object next = poll();
        switch (next) {
            case null -> {
                return false;
            }
            case Control control -> current.control((C) control.message());
            case Gap gap -> current.gap(gap);
            case StreamEvent event -> current.event(event);
            default -> throw new IllegalStateException("unexpected entry " + next);
        }
        return true;
    }

    /** The next thing to send: control first, then notices, the replay, a gap for dropped events, events. */
    private synchronized Object poll() {
        if (!controls.isEmpty()) {
            return controls.removeFirst();
        }
        if (!notices.isEmpty()) {
            return notices.removeFirst();
        }
        if (!replay.isEmpty()) {
            return replay.removeFirst();
        }
        if (!missed.isEmpty()) {
            Topic topic = missed.keySet().iterator().next();
            return new Gap(topic, missed.remove(topic), Gap.SLOW_CONSUMER);
        }
        return events.pollFirst();
    }

    private synchronized void discard() {
        events.clear();
        replay.clear();
        controls.clear();
        notices.clear();
        missed.clear();
    }
}
