package dev.protocollab.order.orders;

import static org.assertj.core.api.Assertions.assertThat;

import dev.protocollab.order.IntegrationTest;
import dev.protocollab.order.TestClients;
import dev.protocollab.order.TestClients.Response;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

@IntegrationTest
class OrderApiIT {

    private static final String BOOK =
            "{\"items\":[{\"sku\":\"BOOK-42\",\"quantity\":2,\"unitPrice\":\"12.50\"}]," + "\"currency\":\"EUR\"}";

    @Autowired
    TestClients clients;

    @Test
    void createAnswers201WithLocationEtagAndTheOrder() {
        Response response = clients.postJson("alice", "/api/orders", BOOK);

        assertThat(response.status()).isEqualTo(201);
        JsonNode order = response.json();
        assertThat(response.header("Location"))
                .isEqualTo("/api/orders/" + order.path("id").asString());
        assertThat(response.header("ETag")).isEqualTo("\"1\"");
        assertThat(order.path("customerId").asString()).isEqualTo("alice");
        assertThat(order.path("status").asString()).isEqualTo("PENDING");
        assertThat(order.path("version").asLong()).isEqualTo(1);
        assertThat(order.path("total").isString()).isTrue();
        assertThat(order.path("total").asString()).isEqualTo("25.00");
        assertThat(order.path("currency").asString()).isEqualTo("EUR");
        assertThat(order.path("items").get(0).path("unitPrice").asString()).isEqualTo("12.50");
        assertThat(order.path("createdAt").asString()).isNotBlank();
    }

    @Test
    void sameIdempotencyKeyAndBodyReturnsTheFirstOrder() {
        String key = UUID.randomUUID().toString();
        Response first = clients.postJson("alice", "/api/orders", BOOK, "Idempotency-Key", key);
        Response again = clients.postJson("alice", "/api/orders", BOOK, "Idempotency-Key", key);

        assertThat(first.status()).isEqualTo(201);
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.json().path("id").asString())
                .isEqualTo(first.json().path("id").asString());
        assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(first.header("Idempotent-Replayed")).isNull();
    }

    @Test
    void sameIdempotencyKeyWithAnotherBodyIs422() {
        String key = UUID.randomUUID().toString();
        clients.postJson("alice", "/api/orders", BOOK, "Idempotency-Key", key);
        Response reused = clients.postJson(
                "alice", "/api/orders", BOOK.replace("\"quantity\":2", "\"quantity\":3"), "Idempotency-Key", key);

        assertThat(reused.status()).isEqualTo(422);
        assertThat(reused.header("Content-Type")).startsWith("application/problem+json");
        assertThat(reused.json().path("type").asString()).endsWith("/idempotency-key-reused");
    }

    @Test
    void idempotencyKeysAreScopedToTheCustomer() {
        String key = UUID.randomUUID().toString();
        Response alice = clients.postJson("alice", "/api/orders", BOOK, "Idempotency-Key", key);
        Response bob = clients.postJson("bob", "/api/orders", BOOK, "Idempotency-Key", key);

        assertThat(bob.status()).isEqualTo(201);
        assertThat(bob.json().path("id").asString())
                .isNotEqualTo(alice.json().path("id").asString());
    }

    @Test
    void concurrentRequestsWithOneKeyCreateOneOrder() throws Exception {
        String key = UUID.randomUUID().toString();
        Callable<Response> create = () -> clients.postJson("carol", "/api/orders", BOOK, "Idempotency-Key", key);
        List<Future<Response>> responses;
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            responses = pool.invokeAll(java.util.Collections.nCopies(8, create));
        }
        List<String> ids = new java.util.ArrayList<>();
        for (Future<Response> response : responses) {
            assertThat(response.get().status()).isEqualTo(201);
            ids.add(response.get().json().path("id").asString());
        }
        assertThat(ids).containsOnly(ids.getFirst());
        assertThat(clients.get("carol", "/api/orders?size=100")
                        .json()
                        .path("totalElements")
                        .asLong())
                .isEqualTo(1);
    }

    @Test
    void conditionalGetAnswers304WhileTheVersionIsUnchanged() {
        JsonNode order = clients.createOrder("alice");
        String path = "/api/orders/" + order.path("id").asString();

        Response full = clients.get("alice", path);
        Response notModified = clients.send(clients.request("alice", path)
                .header("If-None-Match", full.header("ETag"))
                .GET()
                .build());
        Response otherTag = clients.send(clients.request("alice", path)
                .header("If-None-Match", "\"99\"")
                .GET()
                .build());

        assertThat(full.status()).isEqualTo(200);
        assertThat(full.header("ETag")).isEqualTo("\"1\"");
        assertThat(full.header("Cache-Control")).isEqualTo("no-cache, private");
        assertThat(notModified.status()).isEqualTo(304);
        assertThat(notModified.body()).isEmpty();
        assertThat(otherTag.status()).isEqualTo(200);
    }

    @Test
    void cancelWithTheCurrentVersionSucceedsAndAStaleOneIs412() {
        JsonNode order = clients.createOrder("alice");
        String cancel = "/api/orders/" + order.path("id").asString() + "/cancel";

        Response cancelled = clients.postJson("alice", cancel, "", "If-Match", "\"1\"");
        Response stale = clients.postJson("alice", cancel, "", "If-Match", "\"1\"");

        assertThat(cancelled.status()).isEqualTo(200);
        assertThat(cancelled.json().path("status").asString()).isEqualTo("CANCELLED");
        assertThat(cancelled.header("ETag")).isEqualTo("\"2\"");
        assertThat(stale.status()).isEqualTo(412);
        assertThat(stale.header("ETag")).isEqualTo("\"2\"");
        assertThat(stale.json().path("type").asString()).endsWith("/stale-version");
    }

    @Test
    void cancelWithoutIfMatchIs428() {
        JsonNode order = clients.createOrder("alice");
        Response response =
                clients.postJson("alice", "/api/orders/" + order.path("id").asString() + "/cancel", "");

        assertThat(response.status()).isEqualTo(428);
        assertThat(response.json().path("type").asString()).endsWith("/precondition-required");
    }

    @Test
    void cancellingAnOrderThatIsNoLongerCancellableIs409() {
        JsonNode order = clients.createOrder("alice");
        String cancel = "/api/orders/" + order.path("id").asString() + "/cancel";
        clients.postJson("alice", cancel, "", "If-Match", "*");

        Response again = clients.postJson("alice", cancel, "", "If-Match", "*");

        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().path("type").asString()).endsWith("/order-not-cancellable");
    }

    @Test
    void anotherCustomersOrderCannotBeReadCancelledOrPolled() {
        String id = clients.createOrder("alice").path("id").asString();

        Response read = clients.get("mallory", "/api/orders/" + id);
        Response cancel = clients.postJson("mallory", "/api/orders/" + id + "/cancel", "", "If-Match", "*");
        Response poll = clients.get("mallory", "/api/orders/" + id + "/status");
        Response stillThere = clients.get("alice", "/api/orders/" + id);

        assertThat(read.status()).isEqualTo(404);
        assertThat(read.json().path("type").asString()).endsWith("/order-not-found");
        assertThat(cancel.status()).isEqualTo(404);
        assertThat(poll.status()).isEqualTo(404);
        assertThat(stillThere.json().path("status").asString()).isEqualTo("PENDING");
    }

    @Test
    void listShowsOnlyTheCallersOrdersFilteredAndPaginated() {
        String customer = "dave-" + UUID.randomUUID().toString().substring(0, 8);
        for (int i = 0; i < 5; i++) {
            clients.createOrder(customer);
        }
        String cancelled = clients.createOrder(customer).path("id").asString();
        clients.postJson(customer, "/api/orders/" + cancelled + "/cancel", "", "If-Match", "*");
        clients.createOrder("someone-else");

        JsonNode firstPage = clients.get(customer, "/api/orders?size=4").json();
        JsonNode secondPage = clients.get(customer, "/api/orders?size=4&page=1").json();
        JsonNode onlyCancelled =
                clients.get(customer, "/api/orders?status=CANCELLED").json();

        assertThat(firstPage.path("totalElements").asLong()).isEqualTo(6);
        assertThat(firstPage.path("totalPages").asInt()).isEqualTo(2);
        assertThat(firstPage.path("content").size()).isEqualTo(4);
        assertThat(secondPage.path("content").size()).isEqualTo(2);
        assertThat(firstPage.path("content").get(0).path("id").asString()).isEqualTo(cancelled);
        assertThat(onlyCancelled.path("content").size()).isEqualTo(1);
        assertThat(onlyCancelled.path("content").get(0).path("id").asString()).isEqualTo(cancelled);
        for (JsonNode order : firstPage.path("content")) {
            assertThat(order.path("customerId").asString()).isEqualTo(customer);
        }
        assertThat(clients.get(customer, "/api/orders?customerId=someone-else").status())
                .isEqualTo(403);
    }

    @Test
    void invalidOrdersAre400ProblemsNamingEachField() {
        Response response = clients.postJson(
                "alice",
                "/api/orders",
                "{\"items\":[{\"sku\":\"\",\"quantity\":0,\"unitPrice\":\"1.234\"}],\"currency\":\"euro\"}");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        JsonNode problem = response.json();
        assertThat(problem.path("title").asString()).isEqualTo("Invalid order");
        assertThat(problem.path("status").asInt()).isEqualTo(400);
        assertThat(problem.path("errors").findValuesAsString("field"))
                .containsExactlyInAnyOrder("currency", "items[0].sku", "items[0].quantity", "items[0].unitPrice");
    }

    @Test
    void moneyAsAJsonNumberIsRefused() {
        Response response = clients.postJson(
                "alice",
                "/api/orders",
                "{\"items\":[{\"sku\":\"BOOK-42\",\"quantity\":1,\"unitPrice\":12.5}],\"currency\":\"EUR\"}");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().path("type").asString()).endsWith("/malformed-request");
        assertThat(response.json().path("detail").asString()).contains("unitPrice");
    }

    @Test
    void malformedJsonIs400WithoutInternals() {
        Response response = clients.postJson("alice", "/api/orders", "{\"items\": [");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("at dev.");
    }

    @Test
    void unknownIdsAndBadIdsAreProblems() {
        assertThat(clients.get("alice", "/api/orders/" + UUID.randomUUID()).status())
                .isEqualTo(404);
        Response badId = clients.get("alice", "/api/orders/not-a-uuid");
        assertThat(badId.status()).isEqualTo(400);
        assertThat(badId.header("Content-Type")).startsWith("application/problem+json");
    }

    @Test
    void aBlankOrOversizedIdempotencyKeyIs400() {
        Response tooLong = clients.postJson("alice", "/api/orders", BOOK, "Idempotency-Key", "k".repeat(201));
        assertThat(tooLong.status()).isEqualTo(400);
    }

    @Test
    void requestsWithoutATokenAre401Problems() {
        Response response = clients.send(
                HttpRequest.newBuilder(clients.uri("/api/orders")).GET().build());

        assertThat(response.status()).isEqualTo(401);
        assertThat(response.header("WWW-Authenticate")).startsWith("Bearer");
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.json().path("title").asString()).isEqualTo("Unauthorized");
    }
}
