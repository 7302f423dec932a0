package dev.protocollab.order.orders;

/** A state-changing request came without {@code If-Match}: answered 428 Precondition Required. */
public class PreconditionRequiredException extends RuntimeException {

    public PreconditionRequiredException() {
        super("This request must say which version it acts on with If-Match: \"<version>\" (or *)");
    }
}
