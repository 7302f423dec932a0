package dev.protocollab.order.longpolling;

import dev.protocollab.order.OrdersProperties;
import dev.protocollab.order.orders.OrderState;
import dev.protocollab.order.orders.OrderStatus;
import dev.protocollab.order.security.Caller;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Long polling: {@code GET /api/orders/{id}/status?after={version}&wait=PT25S} answers the moment the
 * order's version passes {@code after}, or {@code 304 Not Modified} when {@code wait} runs out. Without
 * {@code wait} it answers at once: the same endpoint, short-polled.
 */
@RestController
class OrderStatusController {

    record StatusResponse(UUID id, OrderStatus status, long version) {}

    private final LongPoll longPoll;
    private final Duration maxWait;

    OrderStatusController(LongPoll longPoll, OrdersProperties properties) {
        this.longPoll = longPoll;
        this.maxWait = properties.longPoll().maxWait();
    }

    @GetMapping("/api/orders/{id}/status")
    ResponseEntity<StatusResponse> status(
            Caller caller,
            @PathVariable UUID id,
            @RequestParam(defaultValue = "0") long after,
            @RequestParam(defaultValue = "PT0S") Duration wait) {
        if (wait.isNegative() || wait.compareTo(maxWait) > 0) {
            throw new WaitOutOfRangeException(wait, maxWait);
        }
        Optional<OrderState> state = longPoll.awaitNewerThan(caller.customerId(), id, after, wait);
        if (state.isEmpty()) {
            return ResponseEntity.status(HttpStatus.NOT_MODIFIED)
                    .cacheControl(CacheControl.noStore())
                    .build();
        }
        OrderState current = state.get();
        return ResponseEntity.ok()
                .cacheControl(CacheControl.noStore())
                .eTag(current.etag())
                .body(new StatusResponse(current.id(), current.status(), current.version()));
    }
}
