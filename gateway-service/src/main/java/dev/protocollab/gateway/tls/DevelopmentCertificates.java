package dev.protocollab.gateway.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The development PKI: a CA and a server certificate for {@code localhost}/{@code 127.0.0.1}/{@code ::1}
 * signed by it, made once into a git-ignored folder and reused while valid. Clients trust {@code ca.pem}
 * ({@code curl --cacert}). EC P-256 keys in PKCS#8 PEM, because that is what both the TCP TLS stack and
 * Netty's QUIC (BoringSSL) accept. The CA's private key is discarded once the server certificate is
 * signed: nothing else can ever be issued under this CA.
 */
final class DevelopmentCertificates {

    private static final Logger log = LoggerFactory.getLogger(DevelopmentCertificates.class);
    private static final Duration VALIDITY = Duration.ofDays(365);
    private static final Duration RENEW_BEFORE = Duration.ofDays(7);

    static final String CA = "ca.pem";
    static final String CERTIFICATE = "server.pem";
    static final String PRIVATE_KEY = "server-key.pem";

    private DevelopmentCertificates() {}

    /** The certificate chain and key in {@code directory}, made (or remade when about to expire) first. */
    static TlsFiles ensure(Path directory) {
        Path certificate = directory.resolve(CERTIFICATE);
        Path key = directory.resolve(PRIVATE_KEY);
        Path ca = directory.resolve(CA);
        try {
            if (!Files.exists(certificate) || !Files.exists(key) || !Files.exists(ca) || expiresSoon(certificate)) {
                generate(directory, ca, certificate, key);
            }
            return new TlsFiles(certificate, key, ca);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the development certificate in " + directory, e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make the development certificate", e);
        }
    }

    private static boolean expiresSoon(Path certificate) throws IOException, GeneralSecurityException {
        try (var in = Files.newInputStream(certificate)) {
            X509Certificate cert =
                    (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            return cert.getNotAfter().toInstant().isBefore(Instant.now().plus(RENEW_BEFORE));
        }
    }

    private static void generate(Path directory, Path caFile, Path certificateFile, Path keyFile)
            throws IOException, GeneralSecurityException, OperatorCreationException {
        Files.createDirectories(directory);
        Instant now = Instant.now();
        KeyPair caKeys = ecKeyPair();
        X500Name caName = new X500Name("CN=Protocol Lab Development CA");
        JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
        X509v3CertificateBuilder caBuilder = new JcaX509v3CertificateBuilder(
                        caName,
                        serial(),
                        Date.from(now.minusSeconds(60)),
                        Date.from(now.plus(VALIDITY)),
                        caName,
                        caKeys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                .addExtension(
                        Extension.subjectKeyIdentifier,
                        false,
                        extensions.createSubjectKeyIdentifier(caKeys.getPublic()));
        X509Certificate caCertificate = sign(caBuilder, caKeys);

        KeyPair serverKeys = ecKeyPair();
        X509v3CertificateBuilder serverBuilder = new JcaX509v3CertificateBuilder(
                        caCertificate,
                        serial(),
                        Date.from(now.minusSeconds(60)),
                        Date.from(now.plus(VALIDITY)),
                        new X500Name("CN=localhost"),
                        serverKeys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.dNSName, "localhost"),
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                    new GeneralName(GeneralName.iPAddress, "::1")
                }))
                .addExtension(
                        Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(caCertificate))
                .addExtension(
                        Extension.subjectKeyIdentifier,
                        false,
                        extensions.createSubjectKeyIdentifier(serverKeys.getPublic()));
        X509Certificate serverCertificate = sign(serverBuilder, caKeys);

        writePem(caFile, new PemObject("CERTIFICATE", caCertificate.getEncoded()), false);
        writePem(
                certificateFile,
                pem(new PemObject("CERTIFICATE", serverCertificate.getEncoded()))
                        + pem(new PemObject("CERTIFICATE", caCertificate.getEncoded())),
                false);
        // PKCS#8 ("BEGIN PRIVATE KEY"), readable by the JDK, Netty and BoringSSL alike
        writePem(keyFile, new PemObject("PRIVATE KEY", serverKeys.getPrivate().getEncoded()), true);
        log.info("Made a development CA and certificate in {}; trust {} (e.g. curl --cacert)", directory, caFile);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuerKeys)
            throws OperatorCreationException, GeneralSecurityException {
        ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate());
        return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    }

    private static KeyPair ecKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
        return generator.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(64, new SecureRandom()).abs().add(BigInteger.ONE);
    }

    private static String pem(PemObject object) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(object);
        }
        return text.toString();
    }

    private static void writePem(Path file, PemObject object, boolean secret) throws IOException {
        writePem(file, pem(object), secret);
    }

    private static void writePem(Path file, String text, boolean secret) throws IOException {
        Path temporary =
                Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
        Files.writeString(temporary, text, StandardCharsets.US_ASCII);
        if (secret) {
            try {
                Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // best effort on file systems without POSIX permissions
            }
        }
        Files.move(
                temporary,
                file,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
