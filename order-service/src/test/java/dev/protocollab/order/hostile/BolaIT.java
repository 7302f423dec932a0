package dev.protocollab.order.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.protocollab.contracts.order.v1.ListOrdersRequest;
import dev.protocollab.contracts.order.v1.ListOrdersResponse;
import dev.protocollab.contracts.order.v1.Order;
import dev.protocollab.contracts.order.v1.OrderServiceGrpc;
import dev.protocollab.order.IntegrationTest;
import dev.protocollab.order.TestClients;
import io.grpc.Status;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * OWASP API1 (broken object level authorization): bob, holding a perfectly valid token, tries to read,
 * cancel, poll, watch, track and list alice's order through every protocol order-service speaks. Each is
 * answered as if the order did not exist (404 / {@code NOT_FOUND}: no oracle for which ids are real), and
 * alice's order is untouched afterwards.
 */
@IntegrationTest
class BolaIT {

    @Autowired
    TestClients clients;

    private String alice;
    private String bob;
    private String aliceOrder;

    @BeforeEach
    void aliceHasAnOrder() {
        alice = "alice-" + UUID.randomUUID();
        bob = "bob-" + UUID.randomUUID();
        aliceOrder = clients.createOrder(alice).path("id").asString();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "GET /api/orders/{id}",
                "GET /api/orders/{id}/status",
                "GET /api/orders/{id}/status?after=0&wait=PT1S",
                "POST /api/orders/{id}/cancel"
            })
    void bobGetsA404ForAlicesOrderOverRest(String route) {
        String[] parts = route.replace("{id}", aliceOrder).split(" ");
        HttpRequest request = clients.request(bob, parts[1])
                .header("If-Match", "*")
                .method(parts[0], HttpRequest.BodyPublishers.noBody())
                .build();

        TestClients.Response response = clients.send(request);

        assertThat(response.status()).as(response.body()).isEqualTo(404);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.body()).doesNotContain(alice);
        assertAliceOrderUntouched();
    }

    @Test
    void aliceOrderIsAbsentFromBobsListAndBobCannotListAlices() {
        JsonNode bobsList = clients.get(bob, "/api/orders?size=100").json();
        TestClients.Response asAlice = clients.get(bob, "/api/orders?customerId=" + alice);

        assertThat(bobsList.path("totalElements").asLong()).isZero();
        assertThat(asAlice.status()).isEqualTo(403);
        assertThat(asAlice.header("Content-Type")).startsWith("application/problem+json");
        assertThat(asAlice.body()).doesNotContain(aliceOrder);
    }

    @Test
    void bobsIdempotencyKeyNeverReplaysAlicesOrder() {
        String body = "{\"items\":[{\"sku\":\"BOOK-42\",\"quantity\":2,\"unitPrice\":\"12.50\"}],\"currency\":\"EUR\"}";
        TestClients.Response first = clients.postJson(alice, "/api/orders", body, "Idempotency-Key", "shared-key");
        TestClients.Response second = clients.postJson(bob, "/api/orders", body, "Idempotency-Key", "shared-key");

        assertThat(second.status()).isEqualTo(201);
        assertThat(second.header("Idempotent-Replayed")).isNull();
        assertThat(second.json().path("id").asString())
                .isNotEqualTo(first.json().path("id").asString());
        assertThat(second.json().path("customerId").asString()).isEqualTo(bob);
    }

    @ParameterizedTest
    @ValueSource(strings = {"GetOrder", "CancelOrder", "WatchOrder", "TrackOrders"})
    void bobGetsNotFoundForAlicesOrderOverGrpc(String method) {
        Status status = GrpcCalls.call(method, clients.channel(), clients.bearer(bob), aliceOrder);

        assertThat(status.getCode()).as(status.toString()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(String.valueOf(status.getDescription())).doesNotContain(alice);
        assertAliceOrderUntouched();
    }

    @Test
    void aliceOrderIsAbsentFromBobsGrpcList() {
        OrderServiceGrpc.OrderServiceBlockingStub asBob = clients.blocking(bob);

        ListOrdersResponse page =
                asBob.listOrders(ListOrdersRequest.newBuilder().setPageSize(100).build());
        List<String> ids = page.getOrdersList().stream().map(Order::getId).toList();

        assertThat(ids).doesNotContain(aliceOrder);
        assertThat(page.getTotalSize()).isZero();
    }

    @Test
    void aliceStillSeesHerOwnOrderEverywhere() {
        // the control: the same calls as alice succeed, so the 404s above are about bob, not the calls
        assertThat(clients.get(alice, "/api/orders/" + aliceOrder).status()).isEqualTo(200);
        assertThat(GrpcCalls.call("GetOrder", clients.channel(), clients.bearer(alice), aliceOrder)
                        .getCode())
                .isEqualTo(Status.Code.OK);
    }

    private void assertAliceOrderUntouched() {
        JsonNode order = clients.get(alice, "/api/orders/" + aliceOrder).json();
        assertThat(order.path("status").asString()).isEqualTo("PENDING");
        assertThat(order.path("version").asLong()).isEqualTo(1);
    }
}
