package dev.protocollab.order.idempotency;

/** The same idempotency key arrived with a different request: a client bug, never retried blindly. */
public class IdempotencyKeyReusedException extends RuntimeException {

    public IdempotencyKeyReusedException(String key) {
        super("Idempotency-Key '" + key + "' was already used for a different request");
    }
}
