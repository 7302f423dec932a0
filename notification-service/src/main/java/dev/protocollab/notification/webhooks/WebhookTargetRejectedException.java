package dev.protocollab.notification.webhooks;

/** A callback URL this service will not send to: off the allow-list, or an address it must not reach. */
public class WebhookTargetRejectedException extends RuntimeException {

    public WebhookTargetRejectedException(String message) {
        super(message);
    }
}
