package dev.protocollab.notification.web;

/** A resume position ({@code after}, {@code Last-Event-ID}) that is not a sequence number. */
public class InvalidPositionException extends RuntimeException {

    public InvalidPositionException(String name, String value) {
        super(name + " must be a sequence number (an integer of 0 or more), not '" + abbreviate(value) + "'");
    }

    /** Parses a sequence number a client sent, or throws this exception naming where it came from. */
    public static long parse(String name, String value) {
        try {
            long position = Long.parseLong(value.strip());
            if (position >= 0) {
                return position;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new InvalidPositionException(name, value);
    }

    private static String abbreviate(String value) {
        return value.length() > 40 ? value.substring(0, 40) + "…" : value;
    }
}
