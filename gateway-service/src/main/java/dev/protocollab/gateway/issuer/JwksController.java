package dev.protocollab.gateway.issuer;

import java.time.Duration;
import java.util.Map;
import org.springframework.http.CacheControl;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** The issuer's public key for every resource server (RFC 7517), cacheable for a few minutes. */
@RestController
class JwksController {

    private final TokenIssuer issuer;

    JwksController(TokenIssuer issuer) {
        this.issuer = issuer;
    }

    @GetMapping("/.well-known/jwks.json")
    ResponseEntity<Map<String, Object>> jwks() {
        return ResponseEntity.ok()
                .cacheControl(CacheControl.maxAge(Duration.ofMinutes(5)).cachePublic())
                .body(issuer.jwks());
    }
}
