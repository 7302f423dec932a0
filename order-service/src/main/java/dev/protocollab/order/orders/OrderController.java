package dev.protocollab.order.orders;

import dev.protocollab.order.idempotency.IdempotencyKeys;
import dev.protocollab.order.security.Caller;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.net.URI;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.server.ResponseStatusException;

/**
 * Request-response over HTTP: create, read (with conditional GET), list and cancel (with optimistic
 * concurrency) orders. Short polling is just {@code GET /api/orders/{id}} again and again; the ETag makes
 * each unchanged answer a body-less 304.
 */
@Validated
@RestController
@RequestMapping("/api/orders")
class OrderController {

    /** The JSON a client sends to create an order. Fields are checked by {@link NewOrder#of}. */
    record CreateOrderRequest(List<NewOrder.Line> items, String currency) {}

    record OrderPage(List<OrderResponse> content, int page, int size, long totalElements, int totalPages) {}

    private static final CacheControl REVALIDATE = CacheControl.noCache().cachePrivate();

    private final Orders orders;

    OrderController(Orders orders) {
        this.orders = orders;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<OrderResponse> create(
            Caller caller,
            @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey,
            @RequestBody CreateOrderRequest body) {
        if (idempotencyKey != null && !IdempotencyKeys.isValid(idempotencyKey)) {
            throw new ResponseStatusException(
                    HttpStatus.BAD_REQUEST,
                    "Idempotency-Key must be 1 to " + IdempotencyKeys.MAX_LENGTH + " printable ASCII characters");
        }
        Orders.Created created =
                orders.create(caller.customerId(), NewOrder.of(body.items(), body.currency()), idempotencyKey);
        Order order = created.order();
        ResponseEntity.BodyBuilder response =
                ResponseEntity.created(URI.create("/api/orders/" + order.id())).eTag(order.etag());
        if (created.replayed()) {
            response.header("Idempotent-Replayed", "true");
        }
        return response.body(OrderResponse.of(order));
    }

    /**
     * Conditional GET: with a matching {@code If-None-Match} the answer is a 304 without a body. {@code
     * private, no-cache} lets the caller keep the order but makes it revalidate every time, which is
     * exactly what a short-polling client with an ETag does.
     */
    @GetMapping("/{id}")
    ResponseEntity<OrderResponse> get(Caller caller, @PathVariable UUID id, WebRequest request) {
        Order order = orders.get(caller.customerId(), id);
        if (request.checkNotModified(order.etag())) {
            return null; // 304 and the ETag are already on the response
        }
        return ResponseEntity.ok().eTag(order.etag()).cacheControl(REVALIDATE).body(OrderResponse.of(order));
    }

    /** The caller's orders, newest first. {@code customerId}, if given, must be the caller. */
    @GetMapping
    OrderPage list(
            Caller caller,
            @RequestParam(required = false) String customerId,
            @RequestParam(required = false) OrderStatus status,
            @RequestParam(defaultValue = "0") @Min(0) @Max(100_000) int page,
            @RequestParam(defaultValue = "20") @Min(1) @Max(100) int size) {
        if (customerId != null && !customerId.equals(caller.customerId())) {
            throw new ResponseStatusException(HttpStatus.FORBIDDEN, "Customers can list only their own orders");
        }
        Orders.Page result = orders.list(caller.customerId(), status, page, size);
        return new OrderPage(
                result.orders().stream().map(OrderResponse::of).toList(),
                result.page(),
                result.size(),
                result.totalElements(),
                result.totalPages());
    }

    /**
     * Optimistic concurrency: the client proves which version it is cancelling with {@code If-Match}; a
     * stale version is 412, a missing header 428 (RFC 6585), an order past cancelling 409.
     */
    @PostMapping("/{id}/cancel")
    ResponseEntity<OrderResponse> cancel(
            Caller caller, @PathVariable UUID id, @RequestHeader(name = "If-Match", required = false) String ifMatch) {
        Order order = orders.cancel(caller.customerId(), id, EntityTags.version(ifMatch));
        return ResponseEntity.ok().eTag(order.etag()).body(OrderResponse.of(order));
    }

    /** {@code If-Match} values as this service writes its ETags: {@code "<version>"}. */
    static final class EntityTags {

        private EntityTags() {}

        /** The version named by {@code If-Match}; empty for {@code *}. */
        static OptionalLong version(String ifMatch) {
            if (ifMatch == null || ifMatch.isBlank()) {
                throw new PreconditionRequiredException();
            }
            String value = ifMatch.strip();
            if (value.equals("*")) {
                return OptionalLong.empty();
            }
            // Weak tags never match for If-Match (RFC 9110 §13.1.1); we only ever issue strong ones.
            if (value.length() >= 3 && value.startsWith("\"") && value.endsWith("\"")) {
                try {
                    return OptionalLong.of(Long.parseLong(value.substring(1, value.length() - 1)));
                } catch (NumberFormatException ignored) {
                    // fall through: an ETag we never issued cannot match
                }
            }
            return OptionalLong.of(-1);
        }
    }
}
