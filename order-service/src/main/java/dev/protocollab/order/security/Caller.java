package dev.protocollab.order.security;

import java.util.Arrays;
import java.util.Collection;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Who a request runs for: the token's subject, and the scopes it was granted. Customers are scoped to
 * their own orders; a service holding {@value #READ_ALL_ORDERS} (notification-service, through the OAuth2
 * client-credentials grant) may read any order.
 */
public record Caller(String customerId, Set<String> scopes) {

    public static final String READ_ALL_ORDERS = "orders:read";

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._@-]{1,100}");

    public Caller {
        if (customerId == null || !VALID.matcher(customerId).matches()) {
            throw new IllegalArgumentException("not a valid customer id");
        }
        scopes = Set.copyOf(scopes);
    }

    public Caller(String customerId) {
        this(customerId, Set.of());
    }

    /** From a JWT's {@code sub} and {@code scope} claim: space-separated (RFC 8693 §4.2) or a list. */
    public static Caller of(String subject, Object scopeClaim) {
        Set<String> scopes = switch (scopeClaim) {
            case null -> Set.of();
            case Collection<?> list -> list.stream().map(String::valueOf).collect(Collectors.toSet());
            default ->
                Arrays.stream(scopeClaim.toString().split(" "))
                        .filter(s -> !s.isBlank())
                        .collect(Collectors.toSet());
        };
        return new Caller(subject, scopes);
    }

    public boolean mayReadAllOrders() {
        return scopes.contains(READ_ALL_ORDERS);
    }

    public static boolean isValid(String customerId) {
        return customerId != null && VALID.matcher(customerId).matches();
    }
}
