package dev.protocollab.stream.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.protocollab.contracts.stream.v1.StreamMessage;
import dev.protocollab.contracts.stream.v1.Topic;
import dev.protocollab.contracts.stream.v1.WatchRequest;
import dev.protocollab.stream.IntegrationTest;
import dev.protocollab.stream.TestClients;
import dev.protocollab.stream.TestEvents;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.codec.ServerSentEvent;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** An order event published to RabbitMQ reaches subscribers of every transport. */
@IntegrationTest
class OrderEventDeliveryIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    TestClients clients;

    @Test
    void theContractsOrderCreatedEventReachesSseWebSocketAndGrpcSubscribers() throws Exception {
        BlockingQueue<StreamMessage> grpc = new LinkedBlockingQueue<>();
        try (TestClients.Sse sse = clients.sse("/api/stream/orders", null);
                TestClients.Ws ws = clients.webSocket("/ws/stream").awaitOpen();
                Context.CancellableContext call = Context.current().withCancellation()) {
            ws.send("{\"type\":\"subscribe\",\"topics\":[\"orders\"]}");
            assertThat(JSON.readTree(ws.next(WAIT)).path("type").asString()).isEqualTo("subscribed");
            call.run(() -> clients.async()
                    .withDeadlineAfter(30, TimeUnit.SECONDS)
                    .watch(
                            WatchRequest.newBuilder()
                                    .addTopics(Topic.TOPIC_ORDERS)
                                    .build(),
                            collect(grpc)));
            assertThat(grpc.poll(WAIT.toSeconds(), TimeUnit.SECONDS).hasSubscribed())
                    .isTrue();
            sse.next(WAIT); // the opening comment: the subscription is registered

            String example = TestEvents.createdExample();
            JsonNode published = JSON.readTree(example);
            clients.publishRaw(example, "order.created", published.get("id").asString());

            ServerSentEvent<String> viaSse = sse.nextEvent(WAIT);
            assertThat(viaSse.event()).isEqualTo("order");
            assertThat(viaSse.id()).isEqualTo(published.get("id").asString());
            JsonNode data = JSON.readTree(viaSse.data());
            assertThat(data.path("orderId").asString())
                    .isEqualTo(published.path("data").path("orderId").asString());
            assertThat(data.path("type").asString()).isEqualTo("order.created");
            assertThat(data.path("status").asString()).isEqualTo("PENDING");
            assertThat(data.path("total").asString()).isEqualTo("25.00");
            assertThat(data.path("currency").asString()).isEqualTo("EUR");
            assertThat(data.path("itemCount").asInt()).isEqualTo(1);
            assertThat(data.has("customerId"))
                    .as("no customer ids on a broadcast")
                    .isFalse();

            JsonNode viaWs = JSON.readTree(ws.next(WAIT));
            assertThat(viaWs.path("type").asString()).isEqualTo("event");
            assertThat(viaWs.path("topic").asString()).isEqualTo("orders");
            assertThat(viaWs.path("id").asString())
                    .isEqualTo(published.get("id").asString());
            assertThat(viaWs.path("data")).isEqualTo(data);

            StreamMessage viaGrpc = grpc.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(viaGrpc).isNotNull();
            assertThat(viaGrpc.getTopic()).isEqualTo(Topic.TOPIC_ORDERS);
            assertThat(viaGrpc.getOrder().getOrderId())
                    .isEqualTo(published.path("data").path("orderId").asString());
            assertThat(viaGrpc.getOrder().getTotal()).isEqualTo("25.00");
            assertThat(viaGrpc.getOrder().getStatus()).isEqualTo("PENDING");
        }
    }

    @Test
    void aRedeliveredEventIsBroadcastOnceAndAnUnreadableMessageIsSkipped() throws Exception {
        try (TestClients.Sse sse = clients.sse("/api/stream/orders", null)) {
            sse.next(WAIT);
            ObjectNode first = TestEvents.created("10.00", "EUR");
            ObjectNode second = TestEvents.created("20.00", "EUR");

            clients.publish(first);
            clients.publish(first); // at least once: the broker may deliver it again
            clients.publishRaw("{not json", "order.created", "poison");
            clients.publishRaw(
                    "{\"specversion\":\"1.0\",\"id\":\"x\",\"type\":\"order.created\"}", "order.created", "x");
            clients.publish(second);

            assertThat(sse.nextEvent(WAIT).id()).isEqualTo(first.get("id").asString());
            assertThat(sse.nextEvent(WAIT).id()).isEqualTo(second.get("id").asString());
        }
    }

    static StreamObserver<StreamMessage> collect(BlockingQueue<StreamMessage> into) {
        return new StreamObserver<>() {
            @Override
            public void onNext(StreamMessage value) {
                into.add(value);
            }

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {}
        };
    }
}
