package dev.protocollab.notification.web;

import java.time.Duration;

/** A long poll asked to wait longer than the server allows (or a negative time). */
public class WaitOutOfRangeException extends RuntimeException {

    public WaitOutOfRangeException(Duration requested, Duration max) {
        super("wait must be between PT0S and " + max + ", not " + requested);
    }
}
