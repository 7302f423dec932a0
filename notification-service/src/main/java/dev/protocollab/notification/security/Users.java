package dev.protocollab.notification.security;

import java.security.Principal;
import java.time.Instant;
import org.springframework.security.authentication.AuthenticationCredentialsNotFoundException;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/** The {@link User} behind an authenticated request or WebSocket handshake. */
public final class Users {

    private Users() {}

    public static User of(Principal principal) {
        if (principal instanceof JwtAuthenticationToken jwt && jwt.isAuthenticated()) {
            Instant expiresAt = jwt.getToken().getExpiresAt();
            return new User(jwt.getToken().getSubject(), expiresAt == null ? Instant.MAX : expiresAt);
        }
        throw new AuthenticationCredentialsNotFoundException("no authenticated user");
    }
}
