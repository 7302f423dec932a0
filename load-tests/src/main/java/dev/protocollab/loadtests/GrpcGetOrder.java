package dev.protocollab.loadtests;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import dev.protocollab.contracts.order.v1.GetOrderRequest;
import dev.protocollab.contracts.order.v1.Order;
import dev.protocollab.contracts.order.v1.OrderServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Unary {@code order.v1.OrderService/GetOrder} load on one HTTP/2 connection (gRPC multiplexes), either
 * closed-loop (a fixed number of calls in flight: the maximum throughput) or at a fixed rate (latency
 * from each call's intended start time: not fooled by coordinated omission).
 */
final class GrpcGetOrder {

    private GrpcGetOrder() {}

    static void run(Options options) throws Exception {
        String target = options.string("target");
        GetOrderRequest request =
                GetOrderRequest.newBuilder().setId(options.string("id")).build();
        Duration warmup = options.seconds("warmup", 5);
        Duration duration = options.seconds("duration", 15);
        Metadata headers = new Metadata();
        Options.Auth auth = options.auth();
        if (auth.present()) {
            headers.put(Metadata.Key.of(auth.header().toLowerCase(), Metadata.ASCII_STRING_MARSHALLER), auth.value());
        }
        ManagedChannel channel = NettyChannelBuilder.forTarget(target)
                .usePlaintext()
                .directExecutor()
                .build();
        try {
            OrderServiceGrpc.OrderServiceFutureStub stub = OrderServiceGrpc.newFutureStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
            // fail fast when the target or the id is wrong
            stub.withDeadlineAfter(5, TimeUnit.SECONDS).getOrder(request).get(6, TimeUnit.SECONDS);
            if (options.string("mode", "closed").equals("rate")) {
                fixedRate(stub, request, options.integer("rate", 1000), warmup, duration, options);
            } else {
                closedLoop(stub, request, options.integer("concurrency", 64), warmup, duration, options);
            }
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static void closedLoop(
            OrderServiceGrpc.OrderServiceFutureStub stub,
            GetOrderRequest request,
            int concurrency,
            Duration warmup,
            Duration duration,
            Options options)
            throws Exception {
        Latencies latencies = new Latencies();
        AtomicLong completed = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        Runnable[] loop = new Runnable[1];
        loop[0] = () -> {
            if (!running.get()) {
                return;
            }
            long start = System.nanoTime();
            Futures.addCallback(
                    stub.withDeadlineAfter(10, TimeUnit.SECONDS).getOrder(request),
                    new FutureCallback<Order>() {
                        @Override
                        public void onSuccess(Order order) {
                            latencies.recordNanos(System.nanoTime() - start);
                            completed.incrementAndGet();
                            loop[0].run();
                        }

                        @Override
                        public void onFailure(Throwable t) {
                            errors.incrementAndGet();
                            loop[0].run();
                        }
                    },
                    MoreExecutors.directExecutor());
        };
        for (int i = 0; i < concurrency; i++) {
            loop[0].run();
        }
        Thread.sleep(warmup.toMillis());
        latencies.reset();
        long before = completed.get();
        long errorsBefore = errors.get();
        long t0 = System.nanoTime();
        Thread.sleep(duration.toMillis());
        long done = completed.get() - before;
        double seconds = (System.nanoTime() - t0) / 1e9;
        running.set(false);
        System.out.printf("grpc.mode=closed%ngrpc.concurrency=%d%n", concurrency);
        System.out.printf("grpc.rps=%.1f%ngrpc.errors=%d%n", done / seconds, errors.get() - errorsBefore);
        Latencies.print("grpc.latency", latencies.snapshot(), options.string("hgrm", null));
    }

    private static void fixedRate(
            OrderServiceGrpc.OrderServiceFutureStub stub,
            GetOrderRequest request,
            int rate,
            Duration warmup,
            Duration duration,
            Options options)
            throws Exception {
        Latencies latencies = new Latencies();
        AtomicLong errors = new AtomicLong();
        AtomicLong inFlight = new AtomicLong();
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        long start = System.nanoTime();
        long warmupEnd = start + warmup.toNanos();
        long end = warmupEnd + duration.toNanos();
        boolean measuring = false;
        long skipped = 0;
        for (long i = 0; ; i++) {
            long intended = start + i * interval;
            if (intended >= end) {
                break;
            }
            if (!measuring && intended >= warmupEnd) {
                latencies.reset();
                errors.set(0);
                measuring = true;
            }
            long wait = intended - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            if (inFlight.get() > 20_000) {
                skipped++; // the server has fallen far behind: count it, don't exhaust memory
                errors.incrementAndGet();
                continue;
            }
            inFlight.incrementAndGet();
            Futures.addCallback(
                    stub.withDeadlineAfter(10, TimeUnit.SECONDS).getOrder(request),
                    new FutureCallback<Order>() {
                        @Override
                        public void onSuccess(Order order) {
                            latencies.recordNanos(System.nanoTime() - intended);
                            inFlight.decrementAndGet();
                        }

                        @Override
                        public void onFailure(Throwable t) {
                            errors.incrementAndGet();
                            inFlight.decrementAndGet();
                        }
                    },
                    MoreExecutors.directExecutor());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(12);
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        System.out.printf(
                "grpc.mode=rate%ngrpc.rate=%d%ngrpc.errors=%d%ngrpc.skipped=%d%n", rate, errors.get(), skipped);
        Latencies.print("grpc.latency", latencies.snapshot(), options.string("hgrm", null));
    }
}
