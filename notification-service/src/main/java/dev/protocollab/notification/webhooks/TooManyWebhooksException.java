package dev.protocollab.notification.webhooks;

/** The user already has as many webhooks as one user may. */
public class TooManyWebhooksException extends RuntimeException {

    public TooManyWebhooksException(int max) {
        super("a user may register at most " + max + " webhooks; delete one first");
    }
}
