package dev.protocollab.notification.enrichment;

import org.springframework.security.oauth2.client.OAuth2AuthorizeRequest;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientService;

/**
 * This service's own access token for order-service, from the OAuth2 client-credentials grant (ADR
 * 0005). Spring Security's client manager caches it and asks for a new one only when it expires within
 * the configured clock skew, so the issuer sees one request an hour, not one per event.
 */
class ServiceToken {

    /** Whom the cached token belongs to: this service, not any user. */
    private static final String PRINCIPAL = "notification-service";

    private final OAuth2AuthorizedClientManager clients;
    private final OAuth2AuthorizedClientService cache;
    private final String registrationId;

    ServiceToken(OAuth2AuthorizedClientManager clients, OAuth2AuthorizedClientService cache, String registrationId) {
        this.clients = clients;
        this.cache = cache;
        this.registrationId = registrationId;
    }

    String value() {
        OAuth2AuthorizedClient client =
                clients.authorize(OAuth2AuthorizeRequest.withClientRegistrationId(registrationId)
                        .principal(PRINCIPAL)
                        .build());
        if (client == null) {
            throw new IllegalStateException("client registration '" + registrationId + "' cannot be authorized");
        }
        return client.getAccessToken().getTokenValue();
    }

    /** Forgets the cached token, after order-service refused it (revoked, or the issuer's key rotated). */
    void invalidate() {
        cache.removeAuthorizedClient(registrationId, PRINCIPAL);
    }
}
