package dev.protocollab.gateway.tls;

import static dev.protocollab.gateway.TestClients.uniqueUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.protocollab.gateway.Backends;
import dev.protocollab.gateway.IntegrationTest;
import dev.protocollab.gateway.TestClients;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import reactor.netty.http.HttpProtocol;

/**
 * Every listener through a real client: TLS versions and ALPN on the TLS port, h2c on the cleartext port,
 * HTTP/3 over QUIC on the UDP port, and the {@code x-protocol} / {@code Alt-Svc} answers that show them.
 */
@IntegrationTest
class ListenersIT {

    @Autowired
    TestClients clients;

    private final Backends backends = Backends.get();

    @Test
    void tls13HandshakeSucceeds() throws Exception {
        assertThat(handshake("TLSv1.3").getSession().getProtocol()).isEqualTo("TLSv1.3");
    }

    @Test
    void tls12HandshakeSucceeds() throws Exception {
        assertThat(handshake("TLSv1.2").getSession().getProtocol()).isEqualTo("TLSv1.2");
    }

    /** The test JVM re-enables TLS 1.1 in its own clients (tls-test.security): only the gateway refuses it. */
    @Test
    void tls11HandshakeIsRefused() {
        assertThatThrownBy(() -> handshake("TLSv1.1")).isInstanceOf(SSLException.class);
    }

    @Test
    void alpnSelectsHttp2() throws Exception {
        SSLSocket socket = handshake("TLSv1.3", "h2", "http/1.1");
        assertThat(socket.getApplicationProtocol()).isEqualTo("h2");
    }

    @Test
    void tlsResponsesSayHttp2AndAdvertiseHttp3() {
        HttpResponse<String> response = clients.getHttp2(clients.https("/"), null);

        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(response.headers().firstValue("x-protocol")).hasValue("HTTP/2");
        assertThat(response.headers().firstValue("alt-svc"))
                .hasValueSatisfying(value -> assertThat(value).startsWith("h3=\":" + clients.http3Port() + "\""));
    }

    @Test
    void cleartextResponsesDoNotAdvertiseHttp3() {
        HttpResponse<String> response = clients.get(clients.http("/"), null);

        assertThat(response.headers().firstValue("x-protocol")).hasValue("HTTP/1.1");
        assertThat(response.headers().firstValue("alt-svc")).isEmpty();
        assertThat(response.body()).contains("Protocol Lab");
    }

    @Test
    void h2cWithPriorKnowledgeWorksOnTheCleartextPort() {
        String alice = uniqueUser("alice");
        String order = backends.newOrder(alice);
        String token = clients.token(alice);

        var response = reactor.netty.http.client.HttpClient.create()
                .protocol(HttpProtocol.H2C)
                .headers(headers -> headers.set("Authorization", "Bearer " + token))
                .get()
                .uri("http://127.0.0.1:" + clients.port() + "/api/orders/" + order)
                .responseSingle((head, body) -> body.asString().map(text -> new Object[] {head, text}))
                .block(Duration.ofSeconds(10));

        reactor.netty.http.client.HttpClientResponse head = (reactor.netty.http.client.HttpClientResponse) response[0];
        assertThat(head.version().text()).isEqualTo("HTTP/2.0");
        assertThat(head.status().code()).isEqualTo(200);
        assertThat(head.responseHeaders().get("x-protocol")).isEqualTo("HTTP/2 (h2c)");
        assertThat((String) response[1]).contains(order);
    }

    @Test
    void h2cUpgradeFromHttp11WorksOnTheCleartextPort() {
        HttpResponse<String> response = clients.send(
                clients.request(clients.http("/"), null).GET().build(),
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build());

        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(response.headers().firstValue("x-protocol")).hasValue("HTTP/2 (h2c)");
    }

    @Test
    void anH2cUpgradeMayCarryARequestBody() {
        // Java's HttpClient asks for h2c with an Upgrade on its first request, body included
        HttpResponse<String> response = clients.send(
                clients.request(clients.http("/auth/token"), null)
                        .header("Content-Type", "application/json")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"subject\":\"upgrader\"}"))
                        .build(),
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("access_token");
    }

    @Test
    void http3ClientGetsAProxiedOrderOverQuic() {
        String alice = uniqueUser("alice");
        String order = backends.newOrder(alice);
        String token = clients.token(alice);

        Object[] response = clients.http3Client()
                .headers(headers -> headers.set("Authorization", "Bearer " + token))
                .get()
                .uri("https://127.0.0.1:" + clients.http3Port() + "/api/orders/" + order)
                .responseSingle((head, body) -> body.asString().map(text -> new Object[] {head, text}))
                .block(Duration.ofSeconds(15));

        reactor.netty.http.client.HttpClientResponse head = (reactor.netty.http.client.HttpClientResponse) response[0];
        assertThat(head.status().code()).isEqualTo(200);
        assertThat(head.responseHeaders().get("x-protocol")).isEqualTo("HTTP/3");
        assertThat((String) response[1]).contains("\"customerId\":\"" + alice + "\"");
        assertThat(clients.get(
                                java.net.URI.create(
                                        "http://127.0.0.1:" + clients.managementPort() + "/actuator/prometheus"),
                                null)
                        .body())
                .contains("gateway_requests_seconds_count{protocol=\"HTTP/3\"");
    }

    private SSLSocket handshake(String protocol, String... applicationProtocols) throws Exception {
        SSLContext context = TestClients.sslContext(clients.ca());
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("localhost", clients.tlsPort());
        socket.setSoTimeout(5_000);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setProtocols(new String[] {protocol});
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        if (applicationProtocols.length > 0) {
            parameters.setApplicationProtocols(applicationProtocols);
        }
        socket.setSSLParameters(parameters);
        try {
            socket.startHandshake();
        } catch (SSLException e) {
            socket.close();
            throw e;
        }
        return socket;
    }
}
