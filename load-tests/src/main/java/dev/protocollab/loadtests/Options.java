package dev.protocollab.loadtests;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** {@code --key=value} arguments; every option has a default or a clear error. */
final class Options {

    private final Map<String, String> values;

    private Options(Map<String, String> values) {
        this.values = values;
    }

    static Options parse(String[] args) {
        Map<String, String> values = new HashMap<>();
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new IllegalArgumentException("expected --key=value, got " + arg);
            }
            int eq = arg.indexOf('=');
            values.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
        return new Options(values);
    }

    String string(String key) {
        String value = values.get(key);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("--" + key + " is required");
        }
        return value;
    }

    String string(String key, String fallback) {
        return values.getOrDefault(key, fallback);
    }

    int integer(String key, int fallback) {
        return values.containsKey(key) ? Integer.parseInt(values.get(key)) : fallback;
    }

    Duration seconds(String key, int fallback) {
        return Duration.ofMillis(
                (long) (Double.parseDouble(values.getOrDefault(key, String.valueOf(fallback))) * 1000));
    }

    /** {@code customer:alice} (order-service's development header) or {@code bearer:<jwt>}; none by default. */
    Auth auth() {
        String spec = values.get("auth");
        if (spec == null || spec.isBlank()) {
            return Auth.NONE;
        }
        int colon = spec.indexOf(':');
        String kind = spec.substring(0, colon);
        String value = spec.substring(colon + 1);
        return switch (kind) {
            case "customer" -> new Auth("X-Customer-Id", value);
            case "bearer" -> new Auth("Authorization", "Bearer " + value);
            default -> throw new IllegalArgumentException("--auth must be customer:<id> or bearer:<jwt>");
        };
    }

    /** One request header that authenticates the caller, or none. */
    record Auth(String header, String value) {
        static final Auth NONE = new Auth(null, null);

        boolean present() {
            return header != null;
        }
    }
}
