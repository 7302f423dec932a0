package dev.protocollab.gateway;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Tokens of every bad kind, for proving the gateway refuses them. The ones that must carry a valid
 * signature (expired, wrong audience, wrong issuer) are signed with the gateway's real key, read from the
 * folder the test gateway keeps it in: only their claims are wrong.
 */
public final class TestTokens {

    private static final Path KEY = Path.of("target/test-pki/keys/issuer-key.pem");

    private TestTokens() {}

    public static String expired(String subject) {
        Instant past = Instant.now().minus(Duration.ofHours(2));
        return signed(
                subject,
                claims ->
                        claims.issueTime(Date.from(past)).expirationTime(Date.from(past.plus(Duration.ofMinutes(5)))));
    }

    public static String wrongAudience(String subject) {
        return signed(subject, claims -> claims.audience("someone-else"));
    }

    public static String wrongIssuer(String subject) {
        return signed(subject, claims -> claims.issuer("https://evil.example"));
    }

    /** Signed by another key under the real key's id. */
    public static String forged(String subject) {
        try {
            RSAKey real = realKey();
            RSAKey other = new RSAKeyGenerator(2048).keyID(real.getKeyID()).generate();
            return sign(other, claims(subject, claims -> {}));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code alg: none}. */
    public static String unsigned(String subject) {
        return new PlainJWT(claims(subject, claims -> {})).serialize();
    }

    /** HS256 keyed with the public modulus: the classic algorithm-confusion attack. */
    public static String hmacWithPublicKey(String subject) {
        try {
            RSAKey real = realKey();
            byte[] secret = real.toRSAPublicKey().getEncoded();
            SignedJWT jwt = new SignedJWT(
                    new JWSHeader.Builder(JWSAlgorithm.HS256)
                            .keyID(real.getKeyID())
                            .build(),
                    claims(subject, claims -> {}));
            jwt.sign(new MACSigner(java.util.Arrays.copyOf(secret, Math.max(32, secret.length))));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String signed(String subject, Consumer<JWTClaimsSet.Builder> customizer) {
        return sign(realKey(), claims(subject, customizer));
    }

    private static JWTClaimsSet claims(String subject, Consumer<JWTClaimsSet.Builder> customizer) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .subject(subject)
                .issuer("protocol-lab")
                .audience("protocol-lab")
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofHours(1))))
                .jwtID(UUID.randomUUID().toString());
        customizer.accept(claims);
        return claims.build();
    }

    private static String sign(RSAKey key, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(
                    new JWSHeader.Builder(JWSAlgorithm.RS256)
                            .keyID(key.getKeyID())
                            .type(JOSEObjectType.JWT)
                            .build(),
                    claims);
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static RSAKey realKey() {
        try {
            String pem = Files.readString(KEY, StandardCharsets.US_ASCII)
                    .replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "")
                    .replaceAll("\\s", "");
            RSAPrivateCrtKey privateKey = (RSAPrivateCrtKey) KeyFactory.getInstance("RSA")
                    .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
            RSAPublicKey publicKey = (RSAPublicKey) KeyFactory.getInstance("RSA")
                    .generatePublic(new RSAPublicKeySpec(privateKey.getModulus(), privateKey.getPublicExponent()));
            RSAKey withoutId =
                    new RSAKey.Builder(publicKey).privateKey(privateKey).build();
            return new RSAKey.Builder(publicKey)
                    .privateKey(privateKey)
                    .keyID(withoutId.computeThumbprint().toString())
                    .build();
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the test gateway's signing key " + KEY, e);
        }
    }
}
