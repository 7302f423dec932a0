package dev.protocollab.notification.polling;

import dev.protocollab.notification.NotificationsProperties;
import dev.protocollab.notification.inbox.Inbox;
import dev.protocollab.notification.inbox.Notification;
import dev.protocollab.notification.inbox.NotificationView;
import dev.protocollab.notification.live.Connections;
import dev.protocollab.notification.security.User;
import dev.protocollab.notification.web.InvalidPositionException;
import dev.protocollab.notification.web.WaitOutOfRangeException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import java.util.List;
import org.springframework.http.CacheControl;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Polling the inbox: {@code GET /api/notifications?after={seq}} answers at once (short polling); with
 * {@code &wait=PT25S} it answers as soon as there is something after {@code after}, or with an empty list
 * when the wait runs out (long polling). Either way the client passes {@code lastSeq} as the next
 * {@code after}. {@code hasMore} says a full page was returned and more are waiting.
 */
@RestController
@Validated
class NotificationPollController {

    record PollResponse(List<NotificationView> notifications, long lastSeq, boolean hasMore) {}

    private final Inbox inbox;
    private final LongPoll longPoll;
    private final NotificationsProperties.Polling settings;
    private final Counter shortPolled;
    private final Counter longPolled;

    NotificationPollController(
            Inbox inbox, LongPoll longPoll, NotificationsProperties properties, MeterRegistry meters) {
        this.inbox = inbox;
        this.longPoll = longPoll;
        this.settings = properties.polling();
        this.shortPolled = Connections.deliveries(meters, "short-poll");
        this.longPolled = Connections.deliveries(meters, "long-poll");
    }

    @GetMapping("/api/notifications")
    ResponseEntity<PollResponse> poll(
            User user,
            @RequestParam(defaultValue = "0") String after,
            @RequestParam(required = false) Duration wait,
            @RequestParam(required = false) @Min(1) @Max(1000) Integer limit)
            throws InterruptedException {
        long position = InvalidPositionException.parse("after", after);
        int pageSize = Math.min(limit == null ? settings.defaultLimit() : limit, settings.maxLimit());
        List<Notification> found; // one more than a page, to learn whether there is more
        if (wait == null || wait.isZero()) {
            found = inbox.after(user.id(), position, pageSize + 1);
        } else {
            if (wait.isNegative() || wait.compareTo(settings.maxWait()) > 0) {
                throw new WaitOutOfRangeException(wait, settings.maxWait());
            }
            found = longPoll.awaitAfter(user.id(), position, wait, pageSize + 1);
        }
        boolean hasMore = found.size() > pageSize;
        if (hasMore) {
            found = found.subList(0, pageSize);
        }
        (wait == null || wait.isZero() ? shortPolled : longPolled).increment(found.size());
        long lastSeq = found.isEmpty()
                // Never ahead of what exists: a client whose position is past the end (say, after the
                // inbox was reset) is brought back to it rather than waiting forever.
                ? Math.min(position, inbox.lastSeq(user.id()))
                : found.getLast().seq();
        return ResponseEntity.ok()
                .cacheControl(CacheControl.noStore())
                .body(new PollResponse(found.stream().map(NotificationView::of).toList(), lastSeq, hasMore));
    }
}
