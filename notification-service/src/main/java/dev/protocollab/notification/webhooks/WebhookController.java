package dev.protocollab.notification.webhooks;

import dev.protocollab.notification.NotificationsProperties;
import dev.protocollab.notification.security.User;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Webhooks: {@code POST /api/webhooks {"url":"https://…"}} registers a callback and answers its signing
 * secret (once); from then on each of the user's notifications is POSTed to it, signed. {@code GET
 * /api/webhooks} lists them, {@code DELETE /api/webhooks/{id}} removes one, and {@code GET
 * /api/webhooks/{id}/deliveries} is the delivery log: every attempt and what the receiver answered.
 */
@RestController
class WebhookController {

    record Registration(String url) {}

    record Registered(UUID id, URI url, String secret, Instant createdAt) {}

    record Listed(UUID id, URI url, Instant createdAt) {}

    record WebhookList(List<Listed> webhooks) {}

    record DeliveryLog(UUID webhookId, List<Webhooks.Delivery> deliveries) {}

    private final Webhooks webhooks;
    private final WebhookTargets targets;
    private final int maxPerUser;

    WebhookController(Webhooks webhooks, WebhookTargets targets, NotificationsProperties properties) {
        this.webhooks = webhooks;
        this.targets = targets;
        this.maxPerUser = properties.webhooks().maxPerUser();
    }

    @PostMapping("/api/webhooks")
    ResponseEntity<Registered> register(User user, @RequestBody Registration registration) {
        if (registration == null
                || registration.url() == null
                || registration.url().length() > 2000) {
            throw new WebhookTargetRejectedException("url is required, at most 2000 characters");
        }
        URI url = targets.check(registration.url());
        if (webhooks.count(user.id()) >= maxPerUser) {
            throw new TooManyWebhooksException(maxPerUser);
        }
        Webhook webhook = webhooks.register(user.id(), url, WebhookSignature.newSecret());
        return ResponseEntity.created(URI.create("/api/webhooks/" + webhook.id()))
                .body(new Registered(webhook.id(), webhook.url(), webhook.secret(), webhook.createdAt()));
    }

    @GetMapping("/api/webhooks")
    WebhookList list(User user) {
        return new WebhookList(webhooks.list(user.id()).stream()
                .map(w -> new Listed(w.id(), w.url(), w.createdAt()))
                .toList());
    }

    @DeleteMapping("/api/webhooks/{id}")
    ResponseEntity<Void> delete(User user, @PathVariable UUID id) {
        if (!webhooks.delete(user.id(), id)) {
            throw new WebhookNotFoundException(id);
        }
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/api/webhooks/{id}/deliveries")
    DeliveryLog deliveries(User user, @PathVariable UUID id, @RequestParam(defaultValue = "50") int limit) {
        Webhook webhook = webhooks.find(user.id(), id).orElseThrow(() -> new WebhookNotFoundException(id));
        return new DeliveryLog(webhook.id(), webhooks.deliveries(webhook.id(), Math.clamp(limit, 1, 200)));
    }
}
