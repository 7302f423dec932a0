package dev.protocollab.notification.webhooks;

import java.net.URI;
import java.time.Instant;
import java.util.UUID;

/** A user's registered callback, with the secret that signs what is sent to it. */
record Webhook(UUID id, String userId, URI url, String secret, Instant createdAt) {}
