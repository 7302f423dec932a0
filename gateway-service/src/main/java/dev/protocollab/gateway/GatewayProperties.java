package dev.protocollab.gateway;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Every setting gateway-service reads, under the prefix {@code gateway}. Routes live in application.yml.
 * {@code upstreams} lists each service's instances; one that refuses a connection is left out of load
 * balancing for {@code upstreamEjection}.
 */
@Validated
@ConfigurationProperties("gateway")
public record GatewayProperties(
        @Valid @DefaultValue Tls tls,
        @Valid @DefaultValue Http3 http3,
        @Valid @DefaultValue Issuer issuer,
        @Valid @DefaultValue TokenCache tokenCache,
        @NotNull @DefaultValue Map<String, List<URI>> upstreams,
        @NotNull @DefaultValue("10s") Duration upstreamEjection,
        @Valid @DefaultValue Grpc grpc,
        @Valid @DefaultValue RateLimit rateLimit,
        @Valid @DefaultValue Limits limits,
        @Valid @DefaultValue Ui ui,
        @NotNull @DefaultValue("http://localhost:5173") List<String> corsOrigins) {

    /**
     * The TLS listener (HTTP/1.1 and HTTP/2 by ALPN). Without {@code certificate}/{@code privateKey} a
     * development CA and a certificate for localhost are made once into {@code generatedDirectory}; in
     * kubernetes both paths point at a mounted Secret instead.
     */
    public record Tls(
            @DefaultValue("true") boolean enabled,
            @Min(0) @DefaultValue("8443") int port,
            @NotNull @DefaultValue(".certs") Path generatedDirectory,
            Path certificate,
            Path privateKey,
            @NotEmpty @DefaultValue({"TLSv1.3", "TLSv1.2"}) List<String> protocols,

            @NotEmpty
            @DefaultValue({
                "TLS_AES_128_GCM_SHA256",
                "TLS_AES_256_GCM_SHA384",
                "TLS_CHACHA20_POLY1305_SHA256",
                "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
                "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
                "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
                "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"
            })
            List<String> ciphers,

            @NotNull @DefaultValue("10s") Duration handshakeTimeout) {}

    /**
     * HTTP/3 over QUIC on the UDP twin of the TLS port ({@code port} 0 means "the TLS port"). Responses
     * on TLS advertise it with {@code Alt-Svc}. {@code earlyData} accepts QUIC 0-RTT (see docs/adr/0303).
     */
    public record Http3(
            @DefaultValue("true") boolean enabled,
            @Min(0) @DefaultValue("0") int port,
            @NotNull @DefaultValue("24h") Duration altSvcMaxAge,
            @NotNull @DefaultValue("30s") Duration idleTimeout,
            @DefaultValue("false") boolean earlyData) {}

    /**
     * The development token issuer. The RS256 signing key is made once into {@code keyDirectory} (kept
     * across restarts so services' cached JWKS stay valid) unless {@code privateKey} names a PEM file, as
     * in kubernetes. {@code clients} may use the client-credentials grant.
     */
    public record Issuer(
            @NotBlank @DefaultValue("protocol-lab") String issuer,
            @NotBlank @DefaultValue("protocol-lab") String audience,
            @NotNull @DefaultValue(".keys") Path keyDirectory,
            Path privateKey,
            @NotNull @DefaultValue("1h") Duration tokenLifetime,
            @NotNull @DefaultValue Map<String, Client> clients) {

        public record Client(
                @NotBlank String secret, @NotBlank String scope) {}
    }

    /**
     * Bearer tokens the edge has verified, kept by their exact text until they expire so a client's next
     * request skips the RS256 signature check (see docs/adr/0306). Every hit is still checked for expiry,
     * issuer, audience and subject; {@code maximumSize} bounds the memory (about 2.5 KiB per entry) and 0
     * turns the cache off.
     */
    public record TokenCache(@Min(0) @DefaultValue("4096") long maximumSize) {}

    /**
     * Calls without {@code grpc-timeout} get {@code defaultDeadline}, so no call through the gateway is
     * unbounded; the gateway gives a backend {@code deadlineGrace} beyond the deadline to answer before it
     * answers DEADLINE_EXCEEDED itself.
     */
    public record Grpc(
            @NotNull @DefaultValue("30m") Duration defaultDeadline,
            @NotNull @DefaultValue("2s") Duration deadlineGrace,
            @NotNull @DefaultValue("5s") Duration transcodingDeadline) {}

    /** The per-user (per-IP when anonymous) token bucket of routes that do not set their own. */
    public record RateLimit(
            @Min(1) @DefaultValue("20") int replenishRate,
            @Min(1) @DefaultValue("40") int burstCapacity) {}

    public record Limits(
            @NotNull @DefaultValue("1MB") DataSize maxRequestBody,
            @NotNull @DefaultValue("16KB") DataSize maxHeaderSize,
            @NotNull @DefaultValue("60s") Duration idleTimeout) {}

    /**
     * The UI the gateway serves from {@code classpath:/static/}: pages revalidate on every load (so a new
     * build shows at once), {@code /assets/**} may be reused for {@code assetsMaxAge}, and pages carry
     * {@code contentSecurityPolicy}, which allows same-origin scripts, styles and connections (fetch,
     * EventSource, WebSocket) and nothing inline.
     */
    public record Ui(
            @NotNull @DefaultValue("5m") Duration assetsMaxAge,

            @NotBlank
            @DefaultValue("default-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none';"
                    + " base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
            String contentSecurityPolicy) {}
}
