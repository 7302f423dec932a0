package dev.protocollab.stream.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.protocollab.contracts.stream.v1.StreamMessage;
import dev.protocollab.contracts.stream.v1.Topic;
import dev.protocollab.contracts.stream.v1.WatchRequest;
import dev.protocollab.stream.IntegrationTest;
import dev.protocollab.stream.StreamApplication;
import dev.protocollab.stream.TestClients;
import dev.protocollab.stream.TestEvents;
import dev.protocollab.testsupport.TestRabbit;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.http.client.ReactorResourceFactory;
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

    @Autowired
    TestRabbit.Broker broker;

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

    /**
     * Publish-subscribe across instances: a second stream-service (its own application context, ports and
     * queue, the same virtual host) gets the same events from {@code orders.events} and delivers them to
     * its own subscribers on every transport; each instance counts each event once. When an instance
     * shuts down, its subscribers are told to go elsewhere (WebSocket 1001, gRPC UNAVAILABLE, SSE ends).
     */
    @Test
    void everyInstanceDeliversEachOrderEventToItsOwnSubscribersOnEveryTransport() throws Exception {
        ConfigurableApplicationContext second = startAnotherInstance();
        try {
            TestClients other = TestClients.of(second, clients.issuer());
            assertThat(other.port()).isNotEqualTo(clients.port());
            try (Subscribers onFirst = new Subscribers(clients);
                    Subscribers onSecond = new Subscribers(other)) {
                ObjectNode created = TestEvents.created("42.50", "EUR");
                ObjectNode confirmed = TestEvents.statusChanged(created, "PENDING", "CONFIRMED", 2);

                clients.publishAll(List.of(created, confirmed));

                onFirst.receive(created, confirmed);
                onSecond.receive(created, confirmed);
                assertThat(eventsIn(second)).isEqualTo(2);

                second.close();

                assertThat(onSecond.ws.awaitClose(WAIT).getCode()).isEqualTo(1001);
                assertThat(onSecond.grpc.awaitEnd(WAIT).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                onSecond.sse.ended().get(WAIT.toSeconds(), TimeUnit.SECONDS);
                ObjectNode later = TestEvents.created("1.00", "EUR");
                clients.publish(later);
                assertThat(onFirst.sse.nextEvent(WAIT).id())
                        .isEqualTo(later.get("id").asString());
            }
        } finally {
            second.close();
        }
    }

    /**
     * The same application, as bin/suite would start a second one: random ports, same broker and issuer.
     * Its Reactor Netty event loops are its own, not the JVM-wide ones that the first instance and the test
     * clients share, because closing it would otherwise dispose those too (in production each instance is a
     * JVM of its own).
     */
    private ConfigurableApplicationContext startAnotherInstance() {
        return new SpringApplicationBuilder(StreamApplication.class)
                .initializers(context -> ((GenericApplicationContext) context)
                        .registerBean(ReactorResourceFactory.class, () -> {
                            ReactorResourceFactory resources = new ReactorResourceFactory();
                            resources.setUseGlobalResources(false);
                            return resources;
                        }))
                .run(
                        "--server.port=0",
                        "--spring.grpc.server.port=0",
                        "--management.server.port=0",
                        "--spring.rabbitmq.host=" + broker.host(),
                        "--spring.rabbitmq.port=" + broker.port(),
                        "--spring.rabbitmq.username=" + broker.username(),
                        "--spring.rabbitmq.password=" + broker.password(),
                        "--spring.rabbitmq.virtual-host=" + broker.virtualHost(),
                        "--spring.security.oauth2.resourceserver.jwt.jwk-set-uri="
                                + clients.issuer().jwksUri());
    }

    private static double eventsIn(ApplicationContext instance) {
        return instance.getBean(MeterRegistry.class).find("stream.events.in").counters().stream()
                .mapToDouble(Counter::count)
                .sum();
    }

    /** One subscriber of the orders topic per transport, on one instance. */
    private static final class Subscribers implements AutoCloseable {

        final TestClients.Sse sse;
        final TestClients.Ws ws;
        final TestClients.Subscription grpc;

        Subscribers(TestClients clients) throws InterruptedException {
            sse = clients.sse("/api/stream/orders", null);
            ws = clients.webSocket("/ws/stream").awaitOpen();
            grpc = clients.subscribe(Topic.TOPIC_ORDERS);
            ws.send("{\"type\":\"subscribe\",\"topics\":[\"orders\"]}");
            assertThat(JSON.readTree(ws.next(WAIT)).path("type").asString()).isEqualTo("subscribed");
            assertThat(grpc.next(WAIT).getSubscribed().getTopicsList()).containsExactly(Topic.TOPIC_ORDERS);
            assertThat(sse.next(WAIT).comment()).isEqualTo("stream orders"); // registered before it is sent
        }

        /** Each transport delivers exactly these events, in this order. */
        void receive(ObjectNode... events) throws InterruptedException {
            for (ObjectNode event : events) {
                String id = event.get("id").asString();
                String orderId = event.path("data").path("orderId").asString();
                String status = event.path("data").path("status").asString();

                ServerSentEvent<String> viaSse = sse.nextEvent(WAIT);
                assertThat(viaSse.id()).isEqualTo(id);
                assertThat(JSON.readTree(viaSse.data()).path("status").asString())
                        .isEqualTo(status);

                JsonNode viaWs = JSON.readTree(ws.next(WAIT));
                assertThat(viaWs.path("id").asString()).isEqualTo(id);
                assertThat(viaWs.path("data").path("orderId").asString()).isEqualTo(orderId);

                StreamMessage viaGrpc = grpc.next(WAIT);
                assertThat(viaGrpc.getId()).isEqualTo(id);
                assertThat(viaGrpc.getOrder().getOrderId()).isEqualTo(orderId);
                assertThat(viaGrpc.getOrder().getStatus()).isEqualTo(status);
            }
        }

        @Override
        public void close() {
            sse.close();
            ws.close();
            grpc.close();
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
