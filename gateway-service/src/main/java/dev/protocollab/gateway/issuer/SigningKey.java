package dev.protocollab.gateway.issuer;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The issuer's RS256 key. In development it is made once into a git-ignored folder and read back on
 * every start, so the JWKS that services cached stays valid across gateway restarts; in kubernetes the
 * PEM comes from a Secret. The key id is the RFC 7638 thumbprint, so a new key always gets a new id and
 * services refetch the JWKS when they meet it.
 */
final class SigningKey {

    private static final Logger log = LoggerFactory.getLogger(SigningKey.class);
    static final String FILE = "issuer-key.pem";

    private SigningKey() {}

    static RSAKey load(Path configuredKey, Path directory) {
        try {
            Path file = configuredKey != null ? configuredKey : directory.resolve(FILE);
            if (configuredKey == null && !Files.exists(file)) {
                generate(directory, file);
            }
            return toJwk(readPrivateKey(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the issuer key", e);
        } catch (GeneralSecurityException | JOSEException e) {
            throw new IllegalStateException("unusable issuer key", e);
        }
    }

    private static RSAPrivateCrtKey readPrivateKey(Path file) throws IOException, GeneralSecurityException {
        String pem = Files.readString(file, StandardCharsets.US_ASCII);
        String base64 = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
        return (RSAPrivateCrtKey) KeyFactory.getInstance("RSA")
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
    }

    private static RSAKey toJwk(RSAPrivateCrtKey privateKey) throws GeneralSecurityException, JOSEException {
        RSAPublicKey publicKey = (RSAPublicKey) KeyFactory.getInstance("RSA")
                .generatePublic(new RSAPublicKeySpec(privateKey.getModulus(), privateKey.getPublicExponent()));
        RSAKey withoutId = new RSAKey.Builder(publicKey).privateKey(privateKey).build();
        return new RSAKey.Builder(publicKey)
                .privateKey(privateKey)
                .keyUse(KeyUse.SIGNATURE)
                .algorithm(JWSAlgorithm.RS256)
                .keyID(withoutId.computeThumbprint().toString())
                .build();
    }

    private static void generate(Path directory, Path file) throws IOException, GeneralSecurityException {
        Files.createDirectories(directory);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        byte[] pkcs8 = generator.generateKeyPair().getPrivate().getEncoded();
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(pkcs8)
                + "\n-----END PRIVATE KEY-----\n";
        Path temporary = Files.createTempFile(directory, FILE, ".tmp");
        try {
            Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // best effort on file systems without POSIX permissions
        }
        Files.writeString(temporary, pem, StandardCharsets.US_ASCII);
        try {
            // another instance may have raced us to it: keep theirs, so both sign with one key
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
            log.info("Made a new token signing key in {}", file);
        } catch (java.nio.file.FileAlreadyExistsException raced) {
            Files.deleteIfExists(temporary);
        }
    }
}
