package dev.protocollab.order.security;

import java.util.regex.Pattern;

/** The customer on whose behalf a request runs: the token's subject. Every read and write is scoped to it. */
public record Caller(String customerId) {

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._@-]{1,100}");

    public Caller {
        if (customerId == null || !VALID.matcher(customerId).matches()) {
            throw new IllegalArgumentException("not a valid customer id");
        }
    }

    public static boolean isValid(String customerId) {
        return customerId != null && VALID.matcher(customerId).matches();
    }
}
