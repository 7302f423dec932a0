package dev.protocollab.notification.webhooks;

import java.util.UUID;

/** No such webhook for this user (another user's is reported the same way). */
public class WebhookNotFoundException extends RuntimeException {

    public WebhookNotFoundException(UUID id) {
        super("no webhook " + id);
    }
}
