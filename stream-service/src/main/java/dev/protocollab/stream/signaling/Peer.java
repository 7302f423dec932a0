package dev.protocollab.stream.signaling;

import dev.protocollab.stream.broadcast.Mailbox;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.web.reactive.socket.CloseStatus;

/**
 * One signaling connection. Its id is made by the server (peers address each other by it), its user is
 * the token's subject, and everything sent to it goes through its bounded mailbox: a peer that stops
 * reading is disconnected rather than buffered for.
 */
final class Peer {

    private final String id;
    private final String user;
    private final Mailbox<String> mailbox;
    private final AtomicReference<CloseStatus> closeWith = new AtomicReference<>();
    private volatile String room;

    Peer(String id, String user, Mailbox<String> mailbox) {
        this.id = id;
        this.user = user;
        this.mailbox = mailbox;
    }

    String id() {
        return id;
    }

    String user() {
        return user;
    }

    Mailbox<String> mailbox() {
        return mailbox;
    }

    String room() {
        return room;
    }

    void room(String room) {
        this.room = room;
    }

    /** Queues a frame; false (and the peer is being disconnected) when it has too many unread. */
    boolean send(String frame) {
        if (mailbox.offerControl(frame)) {
            return true;
        }
        if (!mailbox.isClosed()) {
            close(SignalingHandler.NOT_READING);
        }
        return false;
    }

    void close(CloseStatus status) {
        closeWith.compareAndSet(null, status);
        mailbox.close();
    }

    CloseStatus closeStatus() {
        return closeWith.get();
    }
}
