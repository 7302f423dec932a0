package dev.protocollab.loadtests;

import java.util.Arrays;

/**
 * The load driver for what no established tool does well here: gRPC unary load, WebSocket/SSE fan-out,
 * order-to-notification latency, parked long polls and the Nagle experiment. HTTP/1.1 and HTTP/2 raw
 * throughput are wrk's and h2load's job, fixed-rate REST latency Gatling's (see bench.sh).
 *
 * <p>Every command prints {@code key=value} lines that bench.sh turns into tables. Latencies are in
 * milliseconds and, in fixed-rate modes, measured from each request's intended start time, so a stalled
 * server cannot hide its queueing delay by slowing the client down (no coordinated omission).
 */
public final class Driver {

    private Driver() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage();
            System.exit(2);
        }
        Options options = Options.parse(Arrays.copyOfRange(args, 1, args.length));
        switch (args[0]) {
            case "grpc-get" -> GrpcGetOrder.run(options);
            case "fanout" -> FanOut.run(options);
            case "fanout-part" -> FanOut.runPart(options);
            case "e2e" -> OrderToNotification.run(options);
            case "longpoll" -> ParkedLongPolls.run(options);
            case "nagle" -> Nagle.run(options);
            default -> {
                usage();
                System.exit(2);
            }
        }
        System.exit(0);
    }

    private static void usage() {
        System.err.println("""
                usage: java -jar load-driver.jar <command> --option=value ...
                  grpc-get  --target=host:port --id=<order id> [--auth=customer:alice|bearer:<jwt>]
                            [--mode=closed --concurrency=64 | --mode=rate --rate=2000] [--warmup=5] [--duration=15]
                  fanout    --url=http://localhost:8083 --transport=ws|sse --clients=1000 --token=<jwt>
                            [--duration=30] [--connect-rate=500] [--processes=1] [--part-heap=768m]
                  e2e       --gateway=http://localhost:8080 --token=<jwt>[,<jwt>…] --rate=50 [--duration=20]
                  longpoll  --url=<long-poll url> [--auth=...] --clients=1000 [--hold=20]
                  nagle     [--iterations=200] [--target=host:port --path=/api/orders/<id> --auth=...]
                """);
    }
}
