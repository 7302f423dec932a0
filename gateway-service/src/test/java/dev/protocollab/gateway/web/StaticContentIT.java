package dev.protocollab.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.protocollab.gateway.IntegrationTest;
import dev.protocollab.gateway.TestClients;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The UI the gateway serves itself: open without a token, revalidated pages, briefly cached assets, a CSP. */
@IntegrationTest
class StaticContentIT {

    @Autowired
    TestClients clients;

    @Test
    void theRootPageIsServedWithoutATokenAndRevalidatedOnEveryLoad() {
        HttpResponse<String> page = clients.getHttp2(clients.https("/"), null);

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
        assertThat(page.body()).contains("<title>Protocol Lab</title>");
        assertThat(page.headers().firstValue("Cache-Control")).hasValue("no-cache");
        assertThat(page.headers().firstValue("Content-Security-Policy"))
                .hasValueSatisfying(csp -> assertThat(csp)
                        .contains("default-src 'self'")
                        .contains("connect-src 'self'")
                        .doesNotContain("unsafe-inline"));
        assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(page.headers().firstValue("x-protocol")).hasValue("HTTP/2");
    }

    @Test
    void theRootPageShowsWhichEndpointsHoldStateAndHowTheirClientsResume() {
        String page = clients.get(clients.http("/"), null).body();

        assertThat(page).contains("Stateful vs stateless");
        for (String endpoint : new String[] {
            "/api/notifications/stream", "/ws/notifications", "/api/stream/orders", "wait=PT25S", "/ws/signal"
        }) {
            assertThat(page).as(endpoint).containsPattern("data-stateful=\"true\"><td><code>[^<]*" + endpoint);
        }
        assertThat(page).contains("Last-Event-ID").contains("?after=");
    }

    @Test
    void headOnTheRootShowsTheProtocolWithoutABody() {
        HttpResponse<String> head = clients.send(
                clients.request(clients.https("/"), null)
                        .method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody())
                        .build(),
                clients.http2Client());

        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.headers().firstValue("x-protocol")).hasValue("HTTP/2");
        assertThat(head.headers().firstValue("Cache-Control")).hasValue("no-cache");
    }

    @Test
    void aPageAnswers304WhenUnchanged() {
        HttpResponse<String> page = clients.get(clients.http("/index.html"), null);
        String lastModified = page.headers().firstValue("Last-Modified").orElseThrow();

        HttpResponse<String> again = clients.send(clients.request(clients.http("/index.html"), null)
                .header("If-Modified-Since", lastModified)
                .build());

        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.headers().firstValue("Cache-Control")).hasValue("no-cache");
    }

    @Test
    void assetsAreCachedBrieflyAndCarryNoPagePolicy() {
        HttpResponse<String> asset = clients.get(clients.http("/assets/probe.css"), null);

        assertThat(asset.statusCode()).isEqualTo(200);
        assertThat(asset.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/css"));
        assertThat(asset.headers().firstValue("Cache-Control")).hasValue("max-age=300, public");
        assertThat(asset.headers().firstValue("Content-Security-Policy")).isEmpty();
    }

    @Test
    void aMissingAssetIs404NotAnAuthenticationChallenge() {
        assertThat(clients.get(clients.http("/assets/missing.js"), null).statusCode())
                .isEqualTo(404);
    }
}
