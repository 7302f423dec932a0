package dev.protocollab.e2e.suite;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny OTLP/HTTP trace receiver: every service of the e2e suite exports its spans here (the same
 * endpoint setting a real collector would get), and tests ask which services took part in a trace. The
 * protobuf is read field by field (ExportTraceServiceRequest → ResourceSpans → ScopeSpans → Span) so no
 * OpenTelemetry proto dependency is needed for the four fields that matter.
 */
public final class TraceCollector implements AutoCloseable {

    /** One received span: which service sent it, its trace, its name and kind (OTLP numbering). */
    public record Span(String service, String traceId, String name, int kind) {}

    private final List<Span> spans = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    public TraceCollector() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/v1/traces", exchange -> {
            try (exchange) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                try {
                    read(body);
                    exchange.sendResponseHeaders(200, -1);
                } catch (InvalidProtocolBufferException e) {
                    exchange.sendResponseHeaders(400, -1);
                }
            }
        });
        server.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces");
    }

    public List<Span> trace(String traceId) {
        return spans.stream().filter(span -> span.traceId().equals(traceId)).toList();
    }

    private void read(byte[] body) throws InvalidProtocolBufferException {
        UnknownFieldSet request = UnknownFieldSet.parseFrom(body);
        for (ByteString resourceSpans : lengthDelimited(request, 1)) {
            UnknownFieldSet resourceSpan = UnknownFieldSet.parseFrom(resourceSpans);
            String service = serviceName(resourceSpan);
            for (ByteString scopeSpans : lengthDelimited(resourceSpan, 2)) {
                for (ByteString encoded : lengthDelimited(UnknownFieldSet.parseFrom(scopeSpans), 2)) {
                    UnknownFieldSet span = UnknownFieldSet.parseFrom(encoded);
                    String traceId = HexFormat.of().formatHex(first(span, 1).toByteArray());
                    String name = first(span, 5).toStringUtf8();
                    int kind = span.hasField(6)
                                    && !span.getField(6).getVarintList().isEmpty()
                            ? span.getField(6).getVarintList().getFirst().intValue()
                            : 0;
                    spans.add(new Span(service, traceId, name, kind));
                }
            }
        }
    }

    /** Resource.attributes (1) is a list of KeyValue{key = 1, value = AnyValue{string_value = 1}}. */
    private static String serviceName(UnknownFieldSet resourceSpan) throws InvalidProtocolBufferException {
        for (ByteString resource : lengthDelimited(resourceSpan, 1)) {
            for (ByteString attribute : lengthDelimited(UnknownFieldSet.parseFrom(resource), 1)) {
                UnknownFieldSet keyValue = UnknownFieldSet.parseFrom(attribute);
                if ("service.name".equals(first(keyValue, 1).toStringUtf8())) {
                    return first(UnknownFieldSet.parseFrom(first(keyValue, 2)), 1)
                            .toStringUtf8();
                }
            }
        }
        return "?";
    }

    private static List<ByteString> lengthDelimited(UnknownFieldSet fields, int number) {
        return fields.hasField(number) ? fields.getField(number).getLengthDelimitedList() : List.of();
    }

    private static ByteString first(UnknownFieldSet fields, int number) {
        List<ByteString> values = lengthDelimited(fields, number);
        return values.isEmpty() ? ByteString.EMPTY : values.getFirst();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
