package dev.protocollab.gateway.grpc;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The {@code grpc-timeout} header: at most 8 digits and a unit (H, M, S, m, u, n). */
final class GrpcDeadlines {

    static final String HEADER = "grpc-timeout";
    private static final Pattern FORMAT = Pattern.compile("(\\d{1,8})([HMSmun])");

    private GrpcDeadlines() {}

    /** The timeout the header asks for, or {@code null} when it is absent or malformed. */
    static Duration parse(String header) {
        if (header == null) {
            return null;
        }
        Matcher matcher = FORMAT.matcher(header.trim());
        if (!matcher.matches()) {
            return null;
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "H" -> Duration.ofHours(amount);
            case "M" -> Duration.ofMinutes(amount);
            case "S" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMillis(amount);
            case "u" -> Duration.of(amount, java.time.temporal.ChronoUnit.MICROS);
            default -> Duration.ofNanos(amount);
        };
    }

    /** In milliseconds, which 8 digits cover for about 27 hours. */
    static String format(Duration timeout) {
        long millis = Math.max(1, Math.min(timeout.toMillis(), 99_999_999L));
        return TimeUnit.MILLISECONDS.toMillis(millis) + "m";
    }
}
