package dev.protocollab.gateway.tls;

import java.nio.file.Path;

/**
 * PEM files of the TLS listeners: the certificate chain, its PKCS#8 private key and, for a generated
 * development certificate, the CA clients should trust ({@code null} when the certificate came from a
 * Secret).
 */
public record TlsFiles(Path certificateChain, Path privateKey, Path ca) {}
