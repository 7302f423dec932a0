package dev.protocollab.gateway;

import dev.protocollab.gateway.tls.Http3Server;
import dev.protocollab.gateway.tls.TlsServer;
import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.test.context.TestComponent;
import org.springframework.core.env.Environment;
import reactor.netty.http.Http3SslContextSpec;
import reactor.netty.http.HttpProtocol;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Real clients of the running gateway: every listener, trusting only the gateway's development CA. */
@TestComponent
public class TestClients implements DisposableBean {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Environment environment;
    private final TlsServer tls;
    private final Http3Server http3;
    private final HttpClient http1;
    private final HttpClient http2;
    private ManagedChannel channel;

    TestClients(Environment environment, TlsServer tls, Http3Server http3) throws Exception {
        this.environment = environment;
        this.tls = tls;
        this.http3 = http3;
        SSLContext trustingCa = sslContext(ca());
        this.http1 = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .sslContext(trustingCa)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        this.http2 = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_2)
                .sslContext(trustingCa)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    public int port() {
        return Integer.parseInt(environment.getRequiredProperty("local.server.port"));
    }

    public int tlsPort() {
        return tls.port();
    }

    public int http3Port() {
        return http3.port();
    }

    public int managementPort() {
        return Integer.parseInt(environment.getRequiredProperty("local.management.port"));
    }

    public Path caFile() {
        return tls.files().ca();
    }

    public X509Certificate ca() throws IOException, java.security.cert.CertificateException {
        try (InputStream in = Files.newInputStream(caFile())) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    public static SSLContext sslContext(X509Certificate ca) throws Exception {
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        trusted.setCertificateEntry("protocol-lab-ca", ca);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    public URI http(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    public URI https(String path) {
        return URI.create("https://localhost:" + tlsPort() + path);
    }

    /** A token from the gateway's own demo endpoint. */
    public String token(String subject) {
        HttpResponse<String> response = send(
                HttpRequest.newBuilder(http("/auth/token"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"subject\":\"" + subject + "\"}"))
                        .build(),
                http1);
        if (response.statusCode() != 200) {
            throw new IllegalStateException("no token: " + response.statusCode() + " " + response.body());
        }
        return json(response.body()).path("access_token").asString();
    }

    /** A unique subject per call, so rate-limit buckets of different tests and runs never meet. */
    public static String uniqueUser(String prefix) {
        return prefix + "-" + Long.toString(System.nanoTime(), 36);
    }

    public HttpRequest.Builder request(URI uri, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return request;
    }

    public HttpResponse<String> get(URI uri, String token) {
        return send(request(uri, token).GET().build(), http1);
    }

    public HttpResponse<String> getHttp2(URI uri, String token) {
        return send(request(uri, token).GET().build(), http2);
    }

    /** HTTP/2 over TLS (ALPN h2), trusting the development CA. */
    public HttpClient http2Client() {
        return http2;
    }

    public HttpResponse<String> send(HttpRequest request) {
        return send(request, http1);
    }

    public HttpResponse<String> send(HttpRequest request, HttpClient client) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Reactor Netty's HTTP/3 client, trusting the development CA. */
    public reactor.netty.http.client.HttpClient http3Client() {
        Path ca = caFile();
        return reactor.netty.http.client.HttpClient.create()
                .protocol(HttpProtocol.HTTP3)
                .secure(spec -> spec.sslContext(
                        Http3SslContextSpec.forClient().configure(builder -> builder.trustManager(ca.toFile()))))
                .http3Settings(settings -> settings.idleTimeout(Duration.ofSeconds(5))
                        .maxData(10_000_000)
                        .maxStreamDataBidirectionalLocal(1_000_000))
                .responseTimeout(Duration.ofSeconds(10));
    }

    /** Trusts anything: only for asserting on what the server offers (protocols), never for content. */
    public static javax.net.ssl.TrustManager[] trustAll() {
        return InsecureTrustManagerFactory.INSTANCE.getTrustManagers();
    }

    public static JsonNode json(String body) {
        return JSON.readTree(body);
    }

    /** A plaintext HTTP/2 (h2c, prior knowledge) channel to the gateway's cleartext port. */
    public synchronized ManagedChannel channel() {
        if (channel == null) {
            channel = ManagedChannelBuilder.forAddress("127.0.0.1", port())
                    .usePlaintext()
                    .build();
        }
        return channel;
    }

    public static CallCredentials bearer(String token) {
        return new CallCredentials() {
            @Override
            public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
                Metadata metadata = new Metadata();
                metadata.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
                applier.apply(metadata);
            }
        };
    }

    @Override
    public void destroy() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
