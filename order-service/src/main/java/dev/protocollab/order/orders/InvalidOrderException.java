package dev.protocollab.order.orders;

import java.util.List;

/** A request that breaks a rule of the domain; each violation names the field it concerns. */
public class InvalidOrderException extends RuntimeException {

    public record Violation(String field, String message) {}

    private final List<Violation> violations;

    public InvalidOrderException(List<Violation> violations) {
        super(violations.stream()
                .map(v -> v.field() + ": " + v.message())
                .reduce((a, b) -> a + "; " + b)
                .orElse("invalid order"));
        this.violations = List.copyOf(violations);
    }

    public List<Violation> violations() {
        return violations;
    }
}
