package dev.protocollab.gateway.issuer;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** The OAuth2 token response (RFC 6749 §5.1). */
@JsonInclude(JsonInclude.Include.NON_NULL)
record TokenResponse(
        @JsonProperty("access_token") String accessToken,
        @JsonProperty("token_type") String tokenType,
        @JsonProperty("expires_in") long expiresIn,
        @JsonProperty("scope") String scope) {

    static TokenResponse of(TokenIssuer.Token token, boolean withScope) {
        return new TokenResponse(token.value(), "Bearer", token.expiresIn(), withScope ? token.scope() : null);
    }
}
