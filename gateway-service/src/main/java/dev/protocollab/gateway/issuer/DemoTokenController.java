package dev.protocollab.gateway.issuer;

import java.util.regex.Pattern;
import org.springframework.context.annotation.Profile;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * {@code POST /auth/token {"subject":"alice"}}: a token for whoever asks, so the suite can be tried
 * without an identity provider. Only under the {@code demo} profile; a real deployment puts an
 * authorization server here and keeps the rest unchanged.
 */
@RestController
@Profile("demo")
class DemoTokenController {

    /** The same rule order-service applies to a token's subject. */
    private static final Pattern SUBJECT = Pattern.compile("[A-Za-z0-9._@-]{1,100}");

    /** Users' tokens; never {@code orders:read}, which lets a service read every customer's orders. */
    static final String USER_SCOPE = "orders notifications stream";

    private final TokenIssuer issuer;

    DemoTokenController(TokenIssuer issuer) {
        this.issuer = issuer;
    }

    @PostMapping("/auth/token")
    ResponseEntity<TokenResponse> token(@RequestBody TokenRequest request) {
        if (request.subject() == null || !SUBJECT.matcher(request.subject()).matches()) {
            throw new ResponseStatusException(
                    HttpStatus.BAD_REQUEST, "subject must be 1 to 100 of A-Z a-z 0-9 . _ @ -");
        }
        return ResponseEntity.ok()
                .cacheControl(CacheControl.noStore())
                .body(TokenResponse.of(issuer.issue(request.subject(), USER_SCOPE), false));
    }

    record TokenRequest(String subject) {}
}
