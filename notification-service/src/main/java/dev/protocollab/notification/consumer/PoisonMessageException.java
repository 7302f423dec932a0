package dev.protocollab.notification.consumer;

/** A message that can never be processed, however often it is retried: it goes to the dead-letter queue. */
class PoisonMessageException extends RuntimeException {

    PoisonMessageException(String message, Throwable cause) {
        super(message, cause);
    }
}
