package dev.protocollab.cli;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.File;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.net.ssl.SSLSession;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.Connection;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.Http2SslContextSpec;
import reactor.netty.http.Http3SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;

/**
 * {@code lab-cli http [flags] URL}: a curl look-alike that speaks every protocol the gateway serves,
 * including the ones this machine's curl cannot (HTTP/3, h2c with prior knowledge), and says which
 * protocol and TLS version were negotiated. The body is printed as it arrives, so SSE streams work.
 */
final class HttpCommand {

    static final String USAGE = """
            usage: lab-cli http [--http1.1 | --http2 | --h2c | --http3] [--tlsv1.2 | --tlsv1.3]
                                [--cacert FILE | -k] [-i] [-v] [-X METHOD] [-H 'name: value']... [-d BODY]
                                [-m SECONDS] URL
              --http1.1      HTTP/1.1 (the default for http://)   --http2  HTTP/2 over TLS, ALPN (default for https://)
              --h2c          HTTP/2 in cleartext, prior knowledge  --http3  HTTP/3 over QUIC (UDP, TLS 1.3)
              --tlsv1.2/3    offer only this TLS version           --cacert trust this CA; -k trusts anything
              -i             print the status line and headers     -v       print protocol, TLS version and cipher
              -m             deadline for the whole exchange, in seconds (default 30)""";

    private HttpCommand() {}

    static int run(String[] args, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage() + "\n" + USAGE);
            return 2;
        }
        try {
            Exchange result = exchange(options, chunk -> {
                out.print(chunk);
                out.flush();
            });
            if (options.verbose()) {
                err.println("* " + result.describe());
            }
            if (result.timedOut()) {
                err.println("* stopped after " + options.timeout().toSeconds() + " s (-m)");
                return 28; // curl's "operation timed out"
            }
            return result.status() < 400 ? 0 : 22; // curl --fail's code for an HTTP error
        } catch (RuntimeException e) {
            err.println("Error: " + message(e));
            return 1;
        }
    }

    /** What one request saw: status, negotiated protocol and TLS, and how long it took. */
    record Exchange(
            int status,
            String protocol,
            String tlsProtocol,
            String cipher,
            Map<String, String> headers,
            String body,
            Duration took,
            boolean timedOut) {

        String describe() {
            return protocol + (tlsProtocol == null ? "" : ", " + tlsProtocol + " " + cipher) + ", status " + status
                    + " in " + took.toMillis() + " ms";
        }
    }

    /** Runs one request; {@code sink} receives the body as it arrives (and the head first, with -i). */
    static Exchange exchange(Options options, Consumer<String> sink) {
        long started = System.nanoTime();
        String[] tls = new String[2];
        HttpClient client = client(options).doOnConnected(connection -> tls(connection, tls));
        StringBuilder body = new StringBuilder();
        HttpClientResponse[] head = new HttpClientResponse[1];
        HttpClient.ResponseReceiver<?> request = options.data() == null
                ? client.request(HttpMethod.valueOf(options.method())).uri(options.url())
                : client.request(HttpMethod.valueOf(options.method()))
                        .uri(options.url())
                        .send(ByteBufFlux.fromString(Mono.just(options.data())));
        Boolean timedOut = request.response((response, content) -> {
                    head[0] = response;
                    if (options.include()) {
                        StringBuilder lines = new StringBuilder(response.version()
                                        .text() + " " + response.status().code() + "\n");
                        response.responseHeaders()
                                .forEach(h -> lines.append(h.getKey())
                                        .append(": ")
                                        .append(h.getValue())
                                        .append('\n'));
                        sink.accept(lines.append('\n').toString());
                    }
                    return content.asString(StandardCharsets.UTF_8).doOnNext(chunk -> {
                        body.append(chunk);
                        sink.accept(chunk);
                    });
                })
                .then(Mono.just(false))
                // a stream (SSE) ends at the deadline: what arrived until then is the answer
                .timeout(options.timeout(), Mono.just(true))
                .block();
        HttpClientResponse response = head[0];
        if (response == null) {
            throw new IllegalStateException(
                    "no response within " + options.timeout().toSeconds() + " s");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        response.responseHeaders().forEach(h -> headers.putIfAbsent(h.getKey().toLowerCase(), h.getValue()));
        return new Exchange(
                response.status().code(),
                response.version().text(),
                tls[0],
                tls[1],
                headers,
                body.toString(),
                Duration.ofNanos(System.nanoTime() - started),
                Boolean.TRUE.equals(timedOut));
    }

    private static HttpClient client(Options options) {
        HttpClient client = HttpClient.create()
                .protocol(options.protocol())
                .responseTimeout(options.timeout())
                .option(io.netty.channel.ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                .headers(headers -> options.headers().forEach(headers::add));
        if (!options.url().startsWith("https:")) {
            return client;
        }
        // QUIC is always TLS 1.3 and has its own builder type, hence the repetition below
        Consumer<SslContextBuilder> trust = builder -> {
            if (options.insecure()) {
                builder.trustManager(InsecureTrustManagerFactory.INSTANCE);
            } else if (options.caCert() != null) {
                builder.trustManager(new File(options.caCert()));
            }
            if (options.tlsVersion() != null) {
                builder.protocols(options.tlsVersion());
            }
        };
        return switch (options.protocol()) {
            case HTTP3 ->
                client.secure(spec ->
                                spec.sslContext(Http3SslContextSpec.forClient().configure(builder -> {
                                    if (options.insecure()) {
                                        builder.trustManager(InsecureTrustManagerFactory.INSTANCE);
                                    } else if (options.caCert() != null) {
                                        builder.trustManager(new File(options.caCert()));
                                    }
                                })))
                        .http3Settings(settings -> settings.idleTimeout(Duration.ofSeconds(30))
                                .maxData(16 * 1024 * 1024)
                                .maxStreamDataBidirectionalLocal(4 * 1024 * 1024)
                                .maxStreamDataBidirectionalRemote(4 * 1024 * 1024)
                                .maxStreamsBidirectional(100));
            case H2 ->
                client.secure(
                        spec -> spec.sslContext(Http2SslContextSpec.forClient().configure(trust)));
            default ->
                client.secure(
                        spec -> spec.sslContext(Http11SslContextSpec.forClient().configure(trust)));
        };
    }

    /** The TLS session of the connection (for HTTP/2 it sits on the parent of the stream channel). */
    private static void tls(Connection connection, String[] into) {
        var channel = connection.channel();
        while (channel != null) {
            SslHandler ssl = channel.pipeline().get(SslHandler.class);
            if (ssl != null) {
                SSLSession session = ssl.engine().getSession();
                into[0] = session.getProtocol();
                into[1] = session.getCipherSuite();
                return;
            }
            channel = channel.parent();
        }
        if (connection.channel().getClass().getName().contains("Quic")) {
            into[0] = "TLSv1.3 (QUIC)";
            into[1] = "";
        }
    }

    private static String message(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getMessage() == null) {
            cause = cause.getCause();
        }
        return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }

    record Options(
            String url,
            HttpProtocol protocol,
            String tlsVersion,
            String caCert,
            boolean insecure,
            boolean include,
            boolean verbose,
            String method,
            Map<String, String> headers,
            String data,
            Duration timeout) {

        static Options parse(String[] args) {
            HttpProtocol protocol = null;
            String tls = null;
            String caCert = null;
            boolean insecure = false;
            boolean include = false;
            boolean verbose = false;
            String method = null;
            String data = null;
            double seconds = 30;
            Map<String, String> headers = new LinkedHashMap<>();
            List<String> positional = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--http1.1" -> protocol = HttpProtocol.HTTP11;
                    case "--http2" -> protocol = HttpProtocol.H2;
                    case "--h2c", "--http2-prior-knowledge" -> protocol = HttpProtocol.H2C;
                    case "--http3", "--http3-only" -> protocol = HttpProtocol.HTTP3;
                    case "--tlsv1.2" -> tls = "TLSv1.2";
                    case "--tlsv1.3" -> tls = "TLSv1.3";
                    case "--cacert" -> caCert = value(args, ++i, "--cacert");
                    case "-k", "--insecure" -> insecure = true;
                    case "-i", "--include" -> include = true;
                    case "-v", "--verbose" -> verbose = true;
                    case "-X", "--request" -> method = value(args, ++i, "-X");
                    case "-d", "--data" -> data = value(args, ++i, "-d");
                    case "-m", "--max-time" -> seconds = Double.parseDouble(value(args, ++i, "-m"));
                    case "-H", "--header" -> {
                        String header = value(args, ++i, "-H");
                        int colon = header.indexOf(':');
                        if (colon < 1) {
                            throw new IllegalArgumentException("-H expects 'name: value'");
                        }
                        headers.put(
                                header.substring(0, colon).strip(),
                                header.substring(colon + 1).strip());
                    }
                    default -> {
                        if (args[i].startsWith("-")) {
                            throw new IllegalArgumentException("unknown flag " + args[i]);
                        }
                        positional.add(args[i]);
                    }
                }
            }
            if (positional.size() != 1) {
                throw new IllegalArgumentException("expected one URL");
            }
            String url = positional.getFirst();
            URI uri = URI.create(url);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                throw new IllegalArgumentException("the URL must be http:// or https://");
            }
            boolean secure = "https".equals(uri.getScheme());
            if (protocol == null) {
                protocol = secure ? HttpProtocol.H2 : HttpProtocol.HTTP11;
            }
            if (secure && protocol == HttpProtocol.H2C) {
                throw new IllegalArgumentException("--h2c is cleartext: use an http:// URL");
            }
            if (!secure && (protocol == HttpProtocol.H2 || protocol == HttpProtocol.HTTP3)) {
                throw new IllegalArgumentException(protocol + " needs TLS: use an https:// URL");
            }
            if (data != null && !headers.keySet().stream().anyMatch("content-type"::equalsIgnoreCase)) {
                headers.put("Content-Type", "application/json");
            }
            return new Options(
                    url,
                    protocol,
                    tls,
                    caCert,
                    insecure,
                    include,
                    verbose,
                    method != null ? method : data != null ? "POST" : "GET",
                    headers,
                    data,
                    Duration.ofMillis((long) (seconds * 1000)));
        }

        private static String value(String[] args, int index, String flag) {
            if (index >= args.length) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            return args[index];
        }
    }
}
