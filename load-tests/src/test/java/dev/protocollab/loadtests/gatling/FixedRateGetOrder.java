package dev.protocollab.loadtests.gatling;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /api/orders/{id}} at a fixed arrival rate against several targets in turn (for example the
 * service directly, through nginx, through the gateway), each with its own warm-up.
 *
 * <p>Open model: Gatling starts each request at its scheduled arrival time whether or not earlier ones
 * have answered, so a slow response cannot delay the requests after it and its queueing shows in the
 * percentiles (no coordinated omission). Users share a connection pool, as a browser fleet behind one
 * proxy would; response times are measured from the request's start, in milliseconds.
 *
 * <p>System properties: {@code targets} ({@code name=http://host:port,...}), {@code path}, {@code rate}
 * (requests per second), {@code warmup} and {@code duration} (seconds), {@code auth}.
 */
public class FixedRateGetOrder extends Simulation {

    public FixedRateGetOrder() {
        String path = System.getProperty("path");
        double rate = Double.parseDouble(System.getProperty("rate", "100"));
        int warmup = Integer.getInteger("warmup", 5);
        int duration = Integer.getInteger("duration", 15);
        // customer:<id> (order-service's development header) or bearer:<jwt>; no spaces, so it survives the
        // Maven plugin's forked command line intact
        String auth = System.getProperty("auth", "");
        String authHeader =
                auth.startsWith("bearer:") ? "Authorization" : auth.startsWith("customer:") ? "X-Customer-Id" : "";
        String authValue = auth.startsWith("bearer:")
                ? "Bearer " + auth.substring("bearer:".length())
                : auth.substring(auth.indexOf(':') + 1);

        List<PopulationBuilder> phases = new ArrayList<>();
        for (String target : System.getProperty("targets").split(",")) {
            String name = target.substring(0, target.indexOf('='));
            String baseUrl = target.substring(target.indexOf('=') + 1);
            HttpProtocolBuilder protocol = http.baseUrl(baseUrl)
                    .acceptHeader("application/json")
                    .shareConnections()
                    .disableCaching();
            if (!authHeader.isEmpty()) {
                protocol = protocol.header(authHeader, authValue);
            }
            PopulationBuilder warm = scenario("warm-up " + name)
                    .exec(http("warm-up " + name).get(path).check(status().is(200)))
                    .injectOpen(constantUsersPerSec(rate).during(warmup))
                    .protocols(protocol);
            PopulationBuilder measured = scenario(name)
                    .exec(http(name).get(path).check(status().is(200)))
                    .injectOpen(constantUsersPerSec(rate).during(duration))
                    .protocols(protocol);
            phases.add(warm);
            phases.add(measured);
        }
        // andThen starts its argument when the receiver's users are done; nest from the last phase back so
        // the phases run one after the other rather than side by side
        PopulationBuilder chain = phases.getLast();
        for (int i = phases.size() - 2; i >= 0; i--) {
            chain = phases.get(i).andThen(chain);
        }
        setUp(chain);
    }
}
