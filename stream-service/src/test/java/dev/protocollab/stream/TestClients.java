package dev.protocollab.stream;

import dev.protocollab.contracts.stream.v1.StreamMessage;
import dev.protocollab.contracts.stream.v1.StreamServiceGrpc;
import dev.protocollab.contracts.stream.v1.SubscribeRequest;
import dev.protocollab.contracts.stream.v1.Topic;
import dev.protocollab.testsupport.TestJwtIssuer;
import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.test.context.TestComponent;
import org.springframework.context.ApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.env.Environment;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.databind.node.ObjectNode;

/** Real clients of the running service: SSE, WebSocket and gRPC over the network, and a publisher of events. */
@TestComponent
public class TestClients implements DisposableBean {

    /** Every test client connection is its own: no pool limit stands between a test and 1,000 streams. */
    public static final HttpClient HTTP =
            HttpClient.create(ConnectionProvider.newConnection()).responseTimeout(Duration.ofSeconds(10));

    private final Environment environment;
    private final GrpcServerLifecycle grpcServer;
    private final TestJwtIssuer issuer;
    private final RabbitTemplate rabbit;
    private final java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .version(java.net.http.HttpClient.Version.HTTP_1_1)
            .build();
    private final WebClient web = WebClient.builder()
            .clientConnector(new ReactorClientHttpConnector(HttpClient.create(ConnectionProvider.newConnection())))
            .build();
    private ManagedChannel channel;
    private int channelPort;

    /** Clients of another stream-service instance, started by a test as its own application context. */
    public static TestClients of(ApplicationContext instance, TestJwtIssuer issuer) {
        return new TestClients(
                instance.getEnvironment(),
                instance.getBean(GrpcServerLifecycle.class),
                issuer,
                instance.getBean(RabbitTemplate.class));
    }

    TestClients(Environment environment, GrpcServerLifecycle grpcServer, TestJwtIssuer issuer, RabbitTemplate rabbit) {
        this.environment = environment;
        this.grpcServer = grpcServer;
        this.issuer = issuer;
        this.rabbit = rabbit;
    }

    public TestJwtIssuer issuer() {
        return issuer;
    }

    public String token() {
        return issuer.token("alice");
    }

    public int port() {
        return Integer.parseInt(environment.getProperty("local.server.port"));
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    /** Publishes a schema-valid order event to {@code orders.events} as order-service's outbox relay does. */
    public void publish(ObjectNode event) {
        publishAll(List.of(event));
    }

    /**
     * Publishes schema-valid order events in this order on one channel, as the outbox relay publishes a
     * batch (so the broker keeps their order): the same exchange, routing key (the type) and message
     * properties as {@code order-service}'s {@code OutboxRelay}.
     */
    public void publishAll(List<ObjectNode> events) {
        List<Message> messages = events.stream()
                .map(event -> message(
                        TestEvents.validJson(event),
                        event.get("type").asString(),
                        event.get("id").asString()))
                .toList();
        rabbit.invoke(operations -> {
            for (Message message : messages) {
                operations.send("orders.events", message.getMessageProperties().getType(), message);
            }
            return null;
        });
    }

    /** Any body, even one that is not an order event, with the relay's message properties. */
    public void publishRaw(String body, String routingKey, String messageId) {
        rabbit.send("orders.events", routingKey, message(body, routingKey, messageId));
    }

    private static Message message(String body, String type, String messageId) {
        MessageProperties properties = new MessageProperties();
        properties.setContentType("application/cloudevents+json");
        properties.setContentEncoding(StandardCharsets.UTF_8.name());
        properties.setMessageId(messageId);
        properties.setType(type);
        properties.setAppId("order-service");
        properties.setTimestamp(new Date());
        properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        properties.setHeader("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        return new Message(body.getBytes(StandardCharsets.UTF_8), properties);
    }

    public HttpResponse<String> get(String path, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
                .timeout(Duration.ofSeconds(10))
                .GET();
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** An SSE subscription with {@code Authorization: Bearer}; events and comments collect in a queue. */
    public Sse sse(String path, String lastEventId) {
        return new Sse(web.get()
                .uri(uri(path))
                .accept(MediaType.TEXT_EVENT_STREAM)
                .headers(headers -> {
                    headers.setBearerAuth(token());
                    if (lastEventId != null) {
                        headers.set("Last-Event-ID", lastEventId);
                    }
                })
                .retrieve()
                .bodyToFlux(new ParameterizedTypeReference<ServerSentEvent<String>>() {}));
    }

    /** The origin of pages served by the gateway, which a browser sends with the handshake. */
    public static final String GATEWAY_ORIGIN = "http://localhost:8080";

    /**
     * A WebSocket to {@code path} (token and query included by the caller) from a page of {@code origin}.
     * Netty's client sends an Origin of its own when given none, as a browser always does.
     */
    public Ws webSocket(String pathAndQuery, String origin) {
        HttpHeaders headers = new HttpHeaders();
        headers.setOrigin(origin);
        return new Ws(URI.create("ws://127.0.0.1:" + port() + pathAndQuery), headers);
    }

    public Ws webSocket(String path) {
        return webSocket(path + "?access_token=" + token(), GATEWAY_ORIGIN);
    }

    /** A channel to the gRPC server's current port (a paused and restarted context gets a new one). */
    public synchronized ManagedChannel channel() {
        if (channel == null || channelPort != grpcServer.getPort()) {
            if (channel != null) {
                channel.shutdownNow();
            }
            channelPort = grpcServer.getPort();
            channel = NettyChannelBuilder.forAddress("127.0.0.1", channelPort)
                    .usePlaintext()
                    .build();
        }
        return channel;
    }

    public int grpcPort() {
        return grpcServer.getPort();
    }

    public StreamServiceGrpc.StreamServiceStub async() {
        return StreamServiceGrpc.newStub(channel()).withCallCredentials(bearerToken(token()));
    }

    /** A bidi {@code Subscribe} call, reading every message as it comes (automatic flow control). */
    public Subscription subscribe(Topic... topics) {
        Subscription subscription = new Subscription();
        subscription.requests = async().withDeadlineAfter(120, TimeUnit.SECONDS).subscribe(subscription);
        subscription.change(List.of(topics), List.of());
        return subscription;
    }

    /** A running gRPC {@code Subscribe} call: messages received collect in a queue. */
    public static final class Subscription implements StreamObserver<StreamMessage>, AutoCloseable {

        private final BlockingQueue<StreamMessage> received = new LinkedBlockingQueue<>();
        private final CompletableFuture<Status> ended = new CompletableFuture<>();
        private StreamObserver<SubscribeRequest> requests;

        public void change(List<Topic> add, List<Topic> remove) {
            requests.onNext(SubscribeRequest.newBuilder()
                    .addAllAdd(add)
                    .addAllRemove(remove)
                    .build());
        }

        public StreamMessage next(Duration timeout) throws InterruptedException {
            StreamMessage message = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (message == null) {
                throw new AssertionError("no gRPC message in " + timeout + (ended.isDone() ? " (call ended)" : ""));
            }
            return message;
        }

        public BlockingQueue<StreamMessage> received() {
            return received;
        }

        /** How the call ended: OK, or the status it failed with. */
        public Status awaitEnd(Duration timeout) {
            return ended.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).join();
        }

        @Override
        public void onNext(StreamMessage value) {
            received.add(value);
        }

        @Override
        public void onError(Throwable t) {
            ended.complete(Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
            ended.complete(Status.OK);
        }

        @Override
        public void close() {
            if (!ended.isDone()) {
                ((ClientCallStreamObserver<SubscribeRequest>) requests).cancel("test done", null);
            }
        }
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

    /** A running SSE subscription. */
    public static final class Sse implements AutoCloseable {

        private final BlockingQueue<ServerSentEvent<String>> received = new LinkedBlockingQueue<>();
        private final CompletableFuture<Void> ended = new CompletableFuture<>();
        private final Disposable subscription;

        Sse(reactor.core.publisher.Flux<ServerSentEvent<String>> events) {
            subscription = events.subscribe(received::add, ended::completeExceptionally, () -> ended.complete(null));
        }

        /** The next event, comment or not; fails after the timeout. */
        public ServerSentEvent<String> next(Duration timeout) throws InterruptedException {
            ServerSentEvent<String> event = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (event == null) {
                throw new AssertionError("no SSE event in " + timeout + (ended.isDone() ? " (stream ended)" : ""));
            }
            return event;
        }

        /** The next event with an {@code event:} name, skipping comments. */
        public ServerSentEvent<String> nextEvent(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                ServerSentEvent<String> event =
                        next(Duration.ofNanos(Math.max(deadline - System.nanoTime(), 1_000_000)));
                if (event.event() != null) {
                    return event;
                }
            }
        }

        public CompletableFuture<Void> ended() {
            return ended;
        }

        @Override
        public void close() {
            subscription.dispose();
        }
    }

    /** A running WebSocket session: text frames received collect in a queue. */
    public static final class Ws implements AutoCloseable {

        private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
        private final Sinks.Many<Function<WebSocketSession, WebSocketMessage>> outbound =
                Sinks.many().unicast().onBackpressureBuffer();
        private final CompletableFuture<Void> opened = new CompletableFuture<>();
        private final CompletableFuture<CloseStatus> closed = new CompletableFuture<>();
        private final CompletableFuture<Throwable> failed = new CompletableFuture<>();
        private final Disposable connection;

        Ws(URI uri, HttpHeaders headers) {
            ReactorNettyWebSocketClient client = new ReactorNettyWebSocketClient(HTTP);
            connection = client.execute(uri, headers, session -> {
                        opened.complete(null);
                        session.closeStatus().subscribe(closed::complete);
                        Mono<Void> in = session.receive()
                                .doOnNext(message -> received.add(message.getPayloadAsText()))
                                .then();
                        Mono<Void> out = session.send(outbound.asFlux().map(frame -> frame.apply(session)));
                        return Mono.when(in, out);
                    })
                    .subscribe(null, failed::complete);
        }

        /** Waits for the handshake; fails with the handshake's error (e.g. a 401) if it was refused. */
        public Ws awaitOpen() {
            CompletableFuture.anyOf(opened, failed)
                    .orTimeout(10, TimeUnit.SECONDS)
                    .join();
            if (failed.isDone()) {
                throw new AssertionError("WebSocket handshake failed", failed.join());
            }
            return this;
        }

        /** The handshake's failure, if it fails within the timeout. */
        public Throwable awaitFailure() {
            return failed.orTimeout(10, TimeUnit.SECONDS).join();
        }

        public void send(String text) {
            outbound.tryEmitNext(session -> session.textMessage(text));
        }

        public void sendBinary(byte[] bytes) {
            outbound.tryEmitNext(session -> session.binaryMessage(buffers -> buffers.wrap(bytes)));
        }

        public String next(Duration timeout) throws InterruptedException {
            String frame = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (frame == null) {
                throw new AssertionError("no WebSocket frame in " + timeout);
            }
            return frame;
        }

        /** Frames received but not yet taken. */
        public BlockingQueue<String> received() {
            return received;
        }

        public CloseStatus awaitClose(Duration timeout) {
            return closed.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).join();
        }

        @Override
        public void close() {
            outbound.tryEmitComplete();
            connection.dispose();
        }
    }
}
