package dev.protocollab.notification.security;

import java.time.Instant;
import java.util.regex.Pattern;

/**
 * Who a request runs for: the token's subject, who sees only their own notifications (an order event's
 * {@code data.customerId} names the user it is for). {@code tokenExpiresAt} lets long-lived connections
 * (SSE, WebSocket) end when the token that opened them does.
 */
public record User(String id, Instant tokenExpiresAt) {

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._@-]{1,100}");

    public User {
        if (!isValid(id)) {
            throw new IllegalArgumentException("not a valid user id");
        }
    }

    /** The same rule order-service applies to customer ids, so every customer can be a user here. */
    public static boolean isValid(String id) {
        return id != null && VALID.matcher(id).matches();
    }
}
