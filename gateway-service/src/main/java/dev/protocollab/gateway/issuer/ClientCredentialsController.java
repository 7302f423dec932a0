package dev.protocollab.gateway.issuer;

import dev.protocollab.gateway.GatewayProperties;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The OAuth2 client-credentials grant (RFC 6749 §4.4) for services: HTTP Basic client authentication
 * (or {@code client_secret_post}), {@code grant_type=client_credentials}, optional {@code scope} that must
 * be within the client's registered scope. Errors are RFC 6749 §5.2 JSON, not problem+json, because
 * OAuth2 client libraries parse that shape.
 */
@RestController
class ClientCredentialsController {

    private static final Logger log = LoggerFactory.getLogger(ClientCredentialsController.class);

    private final TokenIssuer issuer;
    private final Map<String, GatewayProperties.Issuer.Client> clients;

    ClientCredentialsController(TokenIssuer issuer, GatewayProperties properties) {
        this.issuer = issuer;
        this.clients = properties.issuer().clients().entrySet().stream()
                .filter(client -> client.getValue().secret() != null
                        && !client.getValue().secret().isBlank())
                .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue));
        properties.issuer().clients().keySet().stream()
                .filter(id -> !clients.containsKey(id))
                .forEach(id -> log.warn("Client {} has no secret configured and cannot obtain tokens", id));
    }

    @PostMapping(path = "/oauth2/token", consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE)
    Mono<ResponseEntity<Object>> token(ServerWebExchange exchange) {
        return exchange.getFormData().map(form -> token(exchange.getRequest().getHeaders(), form));
    }

    private ResponseEntity<Object> token(HttpHeaders headers, MultiValueMap<String, String> form) {
        String[] credentials = basic(headers.getFirst(HttpHeaders.AUTHORIZATION));
        if (credentials == null) {
            credentials = new String[] {form.getFirst("client_id"), form.getFirst("client_secret")};
        }
        GatewayProperties.Issuer.Client client = credentials[0] == null ? null : clients.get(credentials[0]);
        if (client == null || credentials[1] == null || !sameSecret(client.secret(), credentials[1])) {
            return error(HttpStatus.UNAUTHORIZED, "invalid_client", "unknown client or wrong secret");
        }
        if (!"client_credentials".equals(form.getFirst("grant_type"))) {
            return error(HttpStatus.BAD_REQUEST, "unsupported_grant_type", "only client_credentials is supported");
        }
        Set<String> granted = scopes(client.scope());
        String requested = form.getFirst("scope");
        if (requested != null && !requested.isBlank()) {
            Set<String> asked = scopes(requested);
            if (!granted.containsAll(asked)) {
                return error(HttpStatus.BAD_REQUEST, "invalid_scope", "scope exceeds the client's registration");
            }
            granted = asked;
        }
        String scope = String.join(" ", granted);
        return ResponseEntity.ok()
                .cacheControl(CacheControl.noStore())
                .body(TokenResponse.of(issuer.issue(credentials[0], scope), true));
    }

    private static boolean sameSecret(String expected, String given) {
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }

    private static Set<String> scopes(String scope) {
        return new HashSet<>(Arrays.stream(scope.trim().split("\\s+")).toList());
    }

    /** RFC 6749 §2.3.1: both parts are form-urlencoded before Base64. */
    private static String[] basic(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notBase64) {
            return null;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return null;
        }
        return new String[] {
            URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8),
            URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8)
        };
    }

    private static ResponseEntity<Object> error(HttpStatus status, String error, String description) {
        ResponseEntity.BodyBuilder response = ResponseEntity.status(status).cacheControl(CacheControl.noStore());
        if (status == HttpStatus.UNAUTHORIZED) {
            response.header(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"protocol-lab\"");
        }
        return response.body(Map.of("error", error, "error_description", description));
    }
}
