package dev.protocollab.e2e.patterns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.protocollab.e2e.suite.FullSuite;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * Layer-7 load balancing in the gateway: requests for one route are spread over both order-service
 * instances, and when one is killed (SIGKILL, no goodbye) idempotent GETs keep succeeding, because the
 * gateway retries them on the other instance. The killed instance is started again afterwards.
 */
class LoadBalancingIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern COUNT = Pattern.compile(
            "^http_server_requests_seconds_count\\{[^}]*uri=\"/api/orders/\\{id}\"[^}]*} ([0-9.E]+)$",
            Pattern.MULTILINE);
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @Test
    void requestsReachBothInstancesAndSurviveTheLossOfOne() throws Exception {
        FullSuite suite = FullSuite.shared();
        String token = suite.token("lb-" + UUID.randomUUID().toString().substring(0, 8));
        String id = suite.placeOrder(token, "LB-1");
        List<Double> before = counts(suite);

        for (int i = 0; i < 20; i++) {
            assertThat(get(suite, token, id)).isEqualTo(200);
        }
        List<Double> after = counts(suite);
        for (int i = 0; i < after.size(); i++) {
            assertThat(after.get(i) - before.get(i))
                    .as("GETs served by order-service instance " + (i + 1))
                    .isGreaterThanOrEqualTo(5);
        }

        // a POST is not idempotent, so the gateway never retries it: created before the kill
        String other = suite.token("lb-" + UUID.randomUUID().toString().substring(0, 8));
        String otherId = suite.placeOrder(other, "LB-1");
        FullSuite.Instance victim = suite.orderServices().get(1);
        victim.process().kill();
        try {
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                statuses.add(get(suite, other, otherId));
            }
            assertThat(statuses)
                    .as("every GET succeeded with one instance dead")
                    .containsOnly(200);
        } finally {
            victim.process().start().awaitReady(Duration.ofSeconds(180));
        }
    }

    private List<Double> counts(FullSuite suite) throws Exception {
        List<Double> counts = new ArrayList<>();
        for (FullSuite.Instance instance : suite.orderServices()) {
            String metrics = instance.prometheus();
            double sum = 0;
            Matcher matcher = COUNT.matcher(metrics);
            while (matcher.find()) {
                sum += Double.parseDouble(matcher.group(1));
            }
            counts.add(sum);
        }
        return counts;
    }

    private int get(FullSuite suite, String token, String id) throws Exception {
        return http.send(
                        HttpRequest.newBuilder(suite.gateway().httpUri().resolve("/api/orders/" + id))
                                .timeout(Duration.ofSeconds(15))
                                .header("Authorization", "Bearer " + token)
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }
}
