package dev.protocollab.order;

import dev.protocollab.contracts.order.v1.OrderServiceGrpc;
import dev.protocollab.testsupport.TestJwtIssuer;
import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.test.context.TestComponent;
import org.springframework.core.env.Environment;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Real clients of the running service: HTTP over the network and gRPC over a plaintext channel. */
@TestComponent
public class TestClients implements DisposableBean {

    private final Environment environment;
    private final GrpcServerLifecycle grpcServer;
    private final TestJwtIssuer issuer;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final JsonMapper json = JsonMapper.builder().build();
    private ManagedChannel channel;
    private int channelPort;

    TestClients(Environment environment, GrpcServerLifecycle grpcServer, TestJwtIssuer issuer) {
        this.environment = environment;
        this.grpcServer = grpcServer;
        this.issuer = issuer;
    }

    public TestJwtIssuer issuer() {
        return issuer;
    }

    public String token(String customer) {
        return issuer.token(customer);
    }

    /** A request to the REST API, already carrying {@code customer}'s bearer token (if not null). */
    public HttpRequest.Builder request(String customer, String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30));
        if (customer != null) {
            request.header("Authorization", "Bearer " + issuer.token(customer));
        }
        return request;
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + environment.getProperty("local.server.port") + path);
    }

    public Response send(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(response, json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Response get(String customer, String path) {
        return send(request(customer, path).GET().build());
    }

    public Response postJson(String customer, String path, String body, String... headers) {
        HttpRequest.Builder request = request(customer, path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return send(request.build());
    }

    /** Places a one-line order and returns the created order's JSON. */
    public JsonNode createOrder(String customer) {
        Response response = postJson(
                customer,
                "/api/orders",
                "{\"items\":[{\"sku\":\"BOOK-42\",\"quantity\":2,\"unitPrice\":\"12.50\"}],\"currency\":\"EUR\"}");
        if (response.status() != 201) {
            throw new IllegalStateException("create failed: " + response.status() + " " + response.body());
        }
        return response.json();
    }

    /**
     * A channel to the gRPC server's current port. Spring pauses the lifecycle of cached test contexts
     * while other contexts run, and a restarted server listens on a new random port.
     */
    public synchronized ManagedChannel channel() {
        if (channel == null || channelPort != grpcServer.getPort()) {
            if (channel != null) {
                channel.shutdownNow();
            }
            channelPort = grpcServer.getPort();
            channel = ManagedChannelBuilder.forAddress("127.0.0.1", channelPort)
                    .usePlaintext()
                    .build();
        }
        return channel;
    }

    public OrderServiceGrpc.OrderServiceBlockingStub blocking(String customer) {
        return OrderServiceGrpc.newBlockingStub(channel())
                .withCallCredentials(bearer(customer))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    public OrderServiceGrpc.OrderServiceStub async(String customer) {
        return OrderServiceGrpc.newStub(channel()).withCallCredentials(bearer(customer));
    }

    public CallCredentials bearer(String customer) {
        return bearerToken(issuer.token(customer));
    }

    public static CallCredentials bearerToken(String token) {
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

    /** An HTTP response with its body parsed on demand. */
    public record Response(HttpResponse<String> raw, JsonMapper mapper) {

        public int status() {
            return raw.statusCode();
        }

        public String body() {
            return raw.body();
        }

        public JsonNode json() {
            return mapper.readTree(raw.body());
        }

        public String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }
}
