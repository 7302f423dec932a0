package dev.protocollab.loadtests;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.util.AttributeKey;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;

/**
 * The subscribers one driver process holds. WebSocket subscribers run on a Netty client (two NIO event
 * loops, receive buffers of at most 8 KiB, frames handed over as they arrive): the JDK's
 * {@code java.net.http.WebSocket} it replaces ran a 1 GiB driver out of heap before 19 000 connections.
 * SSE subscribers stay on the JDK {@code HttpClient}, which held 19 000 streams in the same heap.
 */
final class Subscribers implements AutoCloseable {

    private static final Pattern WINDOW_END = Pattern.compile("\"windowEnd\"\\s*:\\s*\"([^\"]+)\"");
    private static final AttributeKey<CompletableFuture<Void>> OPENED = AttributeKey.valueOf("opened");
    private static final String SUBSCRIBE = "{\"type\":\"subscribe\",\"topics\":[\"metrics\"]}";

    record Result(long connected, long failures, long received, Histogram latencies) {}

    private final Latencies latencies = new Latencies();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong connected = new AtomicLong();
    private final List<CompletableFuture<?>> opening = new ArrayList<>();
    private final String base;
    private final String transport;
    private final String token;
    private final int clients;
    private final int connectRate;
    private final int threads;
    private volatile boolean measuring;
    private EventLoopGroup loops;

    Subscribers(Options options, int clients) {
        this.base = options.string("url");
        this.transport = options.string("transport");
        this.token = options.string("token");
        this.clients = clients;
        this.connectRate = options.integer("connect-rate", 1000);
        this.threads = options.integer("client-threads", 2);
        if (!transport.equals("ws") && !transport.equals("sse")) {
            throw new IllegalArgumentException("--transport must be ws or sse, got " + transport);
        }
    }

    /** Opens the subscribers at the connect rate; returns once every attempt has been started. */
    void connect() {
        List<HttpClient> pool = new ArrayList<>();
        Bootstrap bootstrap = null;
        if (transport.equals("ws")) {
            loops = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
            bootstrap = webSocketBootstrap();
        } else {
            for (int i = 0; i < threads; i++) {
                pool.add(HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(10))
                        .build());
            }
        }
        long start = System.nanoTime();
        for (int i = 0; i < clients; i++) {
            opening.add(bootstrap != null ? openWebSocket(bootstrap) : openEventStream(pool.get(i % pool.size())));
            long wait = start + (long) ((i + 1) * (1e9 / connectRate)) - System.nanoTime();
            if (wait > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    void awaitConnected() throws Exception {
        CompletableFuture.allOf(
                        opening.stream().map(f -> f.exceptionally(e -> null)).toArray(CompletableFuture[]::new))
                .get(120, TimeUnit.SECONDS);
    }

    void startMeasuring() {
        latencies.reset();
        received.set(0);
        measuring = true;
    }

    Result stopMeasuring() {
        measuring = false;
        return new Result(connected.get(), failures.get(), received.get(), latencies.snapshot());
    }

    @Override
    public void close() {
        if (loops != null) {
            loops.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private void onEvent(String text) {
        Matcher m = WINDOW_END.matcher(text);
        if (!m.find()) {
            return;
        }
        long latency =
                Duration.between(Instant.parse(m.group(1)), Instant.now()).toNanos();
        if (measuring) {
            latencies.recordNanos(latency);
            received.incrementAndGet();
        }
    }

    private Bootstrap webSocketBootstrap() {
        URI uri = URI.create(base.replaceFirst("^http", "ws") + "/ws/stream");
        WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(uri)
                .customHeaders(new DefaultHttpHeaders().add("Authorization", "Bearer " + token))
                .handshakeTimeoutMillis(30_000)
                .maxFramePayloadLength(64 * 1024)
                .build();
        return new Bootstrap()
                .group(loops)
                .channel(NioSocketChannel.class)
                .remoteAddress(uri.getHost(), uri.getPort())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 20_000)
                .option(ChannelOption.TCP_NODELAY, true)
                // a metrics window is a few hundred bytes: start reads small and never grow past 8 KiB
                .option(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(64, 512, 8 * 1024))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        CompletableFuture<Void> opened = channel.attr(OPENED).get();
                        channel.pipeline()
                                .addLast(new HttpClientCodec())
                                .addLast(new HttpObjectAggregator(8 * 1024))
                                .addLast(new WebSocketClientProtocolHandler(config))
                                .addLast(new WebSocketFrameAggregator(64 * 1024))
                                .addLast(new Handler(opened));
                    }
                });
    }

    private CompletableFuture<?> openWebSocket(Bootstrap bootstrap) {
        CompletableFuture<Void> opened = new CompletableFuture<>();
        Bootstrap one = bootstrap.clone().attr(OPENED, opened);
        one.connect().addListener(f -> {
            if (!f.isSuccess() && !opened.isDone()) {
                failures.incrementAndGet();
                opened.complete(null);
            }
        });
        return opened;
    }

    /** One WebSocket subscriber: subscribes once the handshake is done, then times every window it gets. */
    private final class Handler extends SimpleChannelInboundHandler<TextWebSocketFrame> {
        private final CompletableFuture<Void> opened;

        Handler(CompletableFuture<Void> opened) {
            this.opened = opened;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                connected.incrementAndGet();
                ctx.writeAndFlush(new TextWebSocketFrame(SUBSCRIBE));
                opened.complete(null);
            } else if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
                fail();
            }
            super.userEventTriggered(ctx, event);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
            onEvent(frame.text());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            fail();
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail();
            ctx.close();
        }

        private void fail() {
            // a failed handshake, or a subscriber lost while it should be listening
            if (!opened.isDone() || measuring) {
                failures.incrementAndGet();
            }
            opened.complete(null);
        }
    }

    private CompletableFuture<?> openEventStream(HttpClient client) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/stream/metrics"))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "text/event-stream")
                .build();
        Flow.Subscriber<String> lines = new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(String line) {
                if (line.startsWith("data:")) {
                    onEvent(line);
                }
            }

            @Override
            public void onError(Throwable throwable) {
                if (measuring) {
                    failures.incrementAndGet();
                }
            }

            @Override
            public void onComplete() {}
        };
        // the body of a live stream never completes: the stream counts as open once its headers arrive
        CompletableFuture<Void> opened = new CompletableFuture<>();
        HttpResponse.BodyHandler<Void> handler = info -> {
            if (info.statusCode() == 200) {
                connected.incrementAndGet();
            } else {
                failures.incrementAndGet();
            }
            opened.complete(null);
            return HttpResponse.BodySubscribers.fromLineSubscriber(lines);
        };
        client.sendAsync(request, handler).whenComplete((response, error) -> {
            if (error != null && !opened.isDone()) {
                failures.incrementAndGet();
            }
            opened.complete(null);
        });
        return opened;
    }
}
