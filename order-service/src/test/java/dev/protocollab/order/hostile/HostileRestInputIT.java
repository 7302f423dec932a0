package dev.protocollab.order.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Hostile input to the REST API, generated: malformed JSON, wrong types, huge numbers, deep nesting,
 * oversized bodies and headers, invalid UTF-8, nonsense in paths and parameters. Whatever arrives, the
 * answer is a 4xx {@code application/problem+json} that names no class and carries no stack trace; never a
 * 5xx. Each property is one family of input; jqwik shrinks a failure to its smallest example and replays
 * its seed first on the next run.
 */
class HostileRestInputIT {

    /** Small enough that the properties reach it quickly; production keeps its own default. */
    static final int MAX_BODY = 64 * 1024;

    static final int MAX_HEADERS = 16 * 1024;

    private static final String VALID =
            "{\"items\":[{\"sku\":\"BOOK-42\",\"quantity\":2,\"unitPrice\":\"12.50\"}],\"currency\":\"EUR\"}";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Statuses seen per property, printed for docs/reliability.md. */
    private static final Map<String, Map<Integer, AtomicInteger>> SEEN = new ConcurrentHashMap<>();

    private static RunningOrderService service;
    private static String token;

    @BeforeContainer
    static void start() {
        service = RunningOrderService.start("orders.web.max-request-body-size=" + MAX_BODY + "B");
        token = service.token("alice");
    }

    @AfterContainer
    static void stop() throws InterruptedException {
        new TreeMap<>(SEEN)
                .forEach((property, statuses) -> System.out.println("hostile REST " + property + ": "
                        + statuses.values().stream()
                                .mapToInt(AtomicInteger::get)
                                .sum() + " inputs, statuses "
                        + new TreeMap<>(statuses)));
        if (service != null) {
            service.close();
        }
    }

    @Property(tries = 300)
    void malformedJsonIsABadRequest(@ForAll("notJson") String body) throws IOException {
        RawHttp.Response response = post("malformed JSON", body.getBytes(StandardCharsets.UTF_8));

        assertProblem(response, 400);
    }

    @Property(tries = 300)
    void aFieldOfTheWrongTypeIsABadRequest(@ForAll("wrongTypes") String body) throws IOException {
        RawHttp.Response response = post("wrong types", body.getBytes(StandardCharsets.UTF_8));

        assertProblem(response, 400);
    }

    @Property(tries = 200)
    void hugeNumbersAreABadRequest(@ForAll("hugeNumbers") String body) throws IOException {
        RawHttp.Response response = post("huge numbers", body.getBytes(StandardCharsets.UTF_8));

        assertProblem(response, 400);
    }

    @Property(tries = 100)
    void deepNestingIsABadRequest(@ForAll("deeplyNested") String body) throws IOException {
        RawHttp.Response response = post("deep nesting", body.getBytes(StandardCharsets.UTF_8));

        assertProblem(response, 400);
    }

    @Property(tries = 60)
    void aBodyOverTheLimitIs413(@ForAll @IntRange(min = 1, max = 4 * MAX_BODY) int excess, @ForAll boolean chunked)
            throws IOException {
        byte[] body = padded(MAX_BODY + excess);
        RawHttp.Response response = chunked
                ? exchange(
                        "oversized body (chunked)",
                        "POST /api/orders HTTP/1.1",
                        chunks(body),
                        "Content-Type: application/json",
                        "Transfer-Encoding: chunked")
                : post("oversized body", body);

        assertProblem(response, 413);
    }

    @Property(tries = 20)
    void aBodyThatOnlyAnnouncesAHugeLengthIs413(@ForAll @IntRange(min = MAX_BODY + 1) int length) throws IOException {
        // The server must refuse on the header alone, without waiting for bytes that never come.
        RawHttp.Response response = exchange(
                "announced huge body",
                "POST /api/orders HTTP/1.1",
                new byte[0],
                "Content-Type: application/json",
                "Content-Length: " + length);

        assertProblem(response, 413);
    }

    @Property(tries = 40)
    void headersOverTheLimitAre431(
            @ForAll @IntRange(min = 1, max = 4 * MAX_HEADERS) int excess, @ForAll boolean oneHeader)
            throws IOException {
        String[] headers = oneHeader
                ? new String[] {"X-Padding: " + "a".repeat(MAX_HEADERS + excess)}
                : manyHeaders(MAX_HEADERS + excess);
        RawHttp.Response response = exchange("oversized headers", "GET /api/orders HTTP/1.1", new byte[0], headers);

        assertProblem(response, 431);
    }

    @Property(tries = 200)
    void invalidUtf8InTheBodyIsABadRequest(@ForAll("invalidUtf8") byte[] bytes, @ForAll("positions") int position)
            throws IOException {
        byte[] valid = VALID.getBytes(StandardCharsets.UTF_8);
        // inside the sku's string value, where a parser must decode it
        int at = VALID.indexOf("BOOK-42") + Math.floorMod(position, "BOOK-42".length());
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(valid, 0, at);
        body.writeBytes(bytes);
        body.write(valid, at, valid.length - at);

        RawHttp.Response response = post("invalid UTF-8 body", body.toByteArray());

        assertProblem(response, 400);
    }

    @Property(tries = 150)
    void nonAsciiOrControlBytesInTheIdempotencyKeyAreABadRequest(@ForAll("nonTokenBytes") byte[] key)
            throws IOException {
        byte[] head = ("POST /api/orders HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                        + "Authorization: Bearer " + token + "\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + VALID.length() + "\r\nIdempotency-Key: k")
                .getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(head);
        request.writeBytes(key);
        request.writeBytes(("\r\n\r\n" + VALID).getBytes(StandardCharsets.ISO_8859_1));

        RawHttp.Response response =
                counted("bad Idempotency-Key", RawHttp.exchange(service.httpPort(), request.toByteArray()));

        assertProblem(response, 400);
    }

    @Property(tries = 300)
    void nonsenseInPathsAndParametersIsNeverAServerError(@ForAll("hostileTargets") String target) throws IOException {
        RawHttp.Response response =
                exchange("hostile paths and parameters", "GET " + target + " HTTP/1.1", new byte[0]);

        assertThat(response.status()).as(target).isLessThan(500);
        if (response.status() >= 400) {
            assertProblem(response, response.status());
        } else {
            assertThat(response.status()).as(target).isIn(200, 304);
        }
    }

    @Property(tries = 50)
    void aBodyThatIsNotJsonByMediaTypeIs415(@ForAll("mediaTypes") String mediaType) throws IOException {
        RawHttp.Response response = exchange(
                "wrong media type",
                "POST /api/orders HTTP/1.1",
                VALID.getBytes(StandardCharsets.UTF_8),
                "Content-Type: " + mediaType,
                "Content-Length: " + VALID.length());

        assertProblem(response, 415);
    }

    @Property(tries = 30)
    void anUnknownOrWrongCharsetIsNeverAServerError(@ForAll("charsets") String charset) throws IOException {
        byte[] body = VALID.getBytes(StandardCharsets.UTF_8);
        RawHttp.Response response = exchange(
                "declared charsets",
                "POST /api/orders HTTP/1.1",
                body,
                "Content-Type: application/json; charset=" + charset,
                "Content-Length: " + body.length);

        assertThat(response.status()).as(charset).isLessThan(500);
        if (response.status() >= 400) {
            assertProblem(response, response.status());
        }
    }

    // ---- generators

    @Provide
    Arbitrary<String> charsets() {
        return Arbitraries.of(
                "bogus", "\"\"", "utf-16", "UTF-32BE", "x-unknown-charset", "ISO-8859-1", "utf-8;x=1", "%FF", "utf-7");
    }

    @Provide
    Arbitrary<String> notJson() {
        Arbitrary<String> anyText = Arbitraries.strings().all().ofMaxLength(200);
        Arbitrary<String> truncated =
                Arbitraries.integers().between(0, VALID.length() - 1).map(n -> VALID.substring(0, n));
        Arbitrary<String> corrupted = Combinators.combine(
                        Arbitraries.integers().between(0, VALID.length() - 1),
                        Arbitraries.of('{', '}', '[', ']', '"', ':', ',', '\\', '\'', 'x', '\u0000', '\n'))
                .as((at, c) -> VALID.substring(0, at) + c + VALID.substring(at + 1));
        Arbitrary<String> jsonish = Arbitraries.of(
                "",
                "{",
                "}",
                "[",
                "\"",
                "{\"items\":}",
                "{'items':[]}",
                "{items:[]}",
                "NaN",
                "{\"items\":[{\"quantity\":NaN}]}",
                "{\"items\":[{\"quantity\":Infinity}]}",
                "{\"items\":[],}",
                "{\"a\":1}{\"b\":2}",
                "/* comment */ {}",
                "\uFEFF{}");
        return Arbitraries.oneOf(anyText, truncated, corrupted, jsonish).filter(body -> !isJsonObject(body));
    }

    @Provide
    Arbitrary<String> wrongTypes() {
        Arbitrary<String> notString = Arbitraries.oneOf(numbers(), booleansOrNull(), arrays(), objects());
        Arbitrary<String> notInteger = Arbitraries.oneOf(
                Arbitraries.of("\"2\"", "\"two\"", "2.5", "2.0", "1e3", "-0.1", "true", "[2]", "{\"n\":2}"),
                Arbitraries.doubles()
                        .between(-1e6, 1e6)
                        .filter(d -> d != Math.rint(d))
                        .map(String::valueOf),
                Arbitraries.strings().alpha().numeric().ofMaxLength(10).map(s -> "\"" + s + "\""));
        Arbitrary<String> notArray = Arbitraries.oneOf(numbers(), strings(), objects(), Arbitraries.of("true"));
        Arbitrary<String> notObject = Arbitraries.oneOf(numbers(), strings(), arrays(), Arbitraries.of("true"));
        return Arbitraries.oneOf(
                notString.map(v -> order("\"BOOK-42\"", "2", "\"12.50\"", v)),
                notString.map(v -> order(v, "2", "\"12.50\"", "\"EUR\"")),
                notString.map(v -> order("\"BOOK-42\"", "2", v, "\"EUR\"")),
                notInteger.map(v -> order("\"BOOK-42\"", v, "\"12.50\"", "\"EUR\"")),
                notArray.map(v -> "{\"items\":" + v + ",\"currency\":\"EUR\"}"),
                notObject.map(v -> "{\"items\":[" + v + "],\"currency\":\"EUR\"}"),
                notObject);
    }

    @Provide
    Arbitrary<String> hugeNumbers() {
        Arbitrary<String> digits = Arbitraries.strings()
                .numeric()
                .ofMinLength(10)
                .ofMaxLength(5_000)
                .map(d -> "9" + d);
        Arbitrary<String> number = Arbitraries.oneOf(
                digits,
                digits.map(d -> "-" + d),
                digits.map(d -> d + ".5"),
                Arbitraries.integers().between(309, 1_000_000_000).map(e -> "1e" + e),
                Arbitraries.integers().between(309, 1_000_000_000).map(e -> "-1e-" + e),
                Arbitraries.of("2147483648", "-2147483649", "9223372036854775808", "1e308", "4.9e-324"));
        return Arbitraries.oneOf(
                number.map(n -> order("\"BOOK-42\"", n, "\"12.50\"", "\"EUR\"")),
                number.map(n -> order("\"BOOK-42\"", "2", "\"" + n + "\"", "\"EUR\"")),
                number.map(n -> order("\"BOOK-42\"", "2", n, "\"EUR\"")));
    }

    @Provide
    Arbitrary<String> deeplyNested() {
        // deep enough for any parser's limit, small enough to stay under the body limit (that is another property)
        Arbitrary<Integer> depth = Arbitraries.integers().between(1_000, 9_000);
        return Arbitraries.oneOf(
                depth.map(d -> "[".repeat(d) + "]".repeat(d)),
                depth.map(d -> "{\"items\":" + "[".repeat(d) + "]".repeat(d) + ",\"currency\":\"EUR\"}"),
                depth.map(d -> "{\"a\":".repeat(d) + "1" + "}".repeat(d)),
                depth.map(d -> order("\"BOOK-42\"", "2", "\"12.50\"", "{\"a\":".repeat(d) + "1" + "}".repeat(d))));
    }

    @Provide
    Arbitrary<byte[]> invalidUtf8() {
        return Arbitraries.oneOf(
                Arbitraries.of(
                        new byte[] {(byte) 0xFF},
                        new byte[] {(byte) 0xC0, (byte) 0xAF}, // overlong '/'
                        new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}, // overlong
                        new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // a surrogate, encoded
                        new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // past U+10FFFF
                        new byte[] {(byte) 0xC3}, // truncated sequence
                        new byte[] {(byte) 0x80}), // lone continuation byte
                Arbitraries.bytes()
                        .between((byte) 0x80, (byte) 0xBF)
                        .array(byte[].class)
                        .ofMinSize(1)
                        .ofMaxSize(8));
    }

    @Provide
    Arbitrary<Integer> positions() {
        return Arbitraries.integers().between(0, 100);
    }

    @Provide
    Arbitrary<byte[]> nonTokenBytes() {
        Arbitrary<Byte> bad = Arbitraries.oneOf(
                Arbitraries.bytes().between((byte) 0x80, (byte) 0xFF),
                Arbitraries.bytes().between((byte) 0x01, (byte) 0x08),
                Arbitraries.of((byte) 0x00, (byte) 0x7F));
        return bad.array(byte[].class).ofMinSize(1).ofMaxSize(16);
    }

    @Provide
    Arbitrary<String> hostileTargets() {
        Arbitrary<String> segment = Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(60).map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8)),
                Arbitraries.of(
                        "%FF",
                        "%C0%AF",
                        "%00",
                        "%",
                        "%G1",
                        "..",
                        "%2e%2e",
                        "%2F",
                        ";jsessionid=1",
                        "00000000-0000-0000-0000-000000000000",
                        "0000000000000000000000000000000000000000",
                        "-1",
                        "99999999999999999999999999",
                        "1e9",
                        "P999999999D",
                        "PT-1S",
                        "DELIVERED",
                        "delivered",
                        "%E2%80%AE"));
        return Arbitraries.oneOf(
                segment.map(s -> "/api/orders/" + s),
                segment.map(s -> "/api/orders/" + s + "/status"),
                segment.map(s -> "/api/orders/00000000-0000-0000-0000-000000000000/status?after=" + s),
                segment.map(s -> "/api/orders/00000000-0000-0000-0000-000000000000/status?wait=" + s),
                segment.map(s -> "/api/orders?page=" + s),
                segment.map(s -> "/api/orders?size=" + s),
                segment.map(s -> "/api/orders?status=" + s),
                segment.map(s -> "/api/orders?customerId=" + s),
                segment.map(s -> "/api/" + s));
    }

    @Provide
    Arbitrary<String> mediaTypes() {
        return Arbitraries.of(
                "text/plain",
                "application/xml",
                "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x",
                "application/octet-stream",
                "application/json-patch+json",
                "image/png",
                "*/*; q=0");
    }

    private static Arbitrary<String> numbers() {
        return Arbitraries.oneOf(
                Arbitraries.integers().map(String::valueOf),
                Arbitraries.doubles().map(String::valueOf).filter(s -> !s.contains("Infinity") && !s.contains("NaN")));
    }

    private static Arbitrary<String> strings() {
        return Arbitraries.strings().alpha().ofMaxLength(10).map(s -> "\"" + s + "\"");
    }

    private static Arbitrary<String> booleansOrNull() {
        return Arbitraries.of("true", "false");
    }

    private static Arbitrary<String> arrays() {
        return Arbitraries.of("[]", "[1]", "[\"EUR\"]", "[[]]", "[null]");
    }

    private static Arbitrary<String> objects() {
        return Arbitraries.of("{}", "{\"a\":1}", "{\"value\":\"EUR\"}", "{\"items\":[]}");
    }

    private static String order(String sku, String quantity, String unitPrice, String currency) {
        return "{\"items\":[{\"sku\":" + sku + ",\"quantity\":" + quantity + ",\"unitPrice\":" + unitPrice
                + "}],\"currency\":" + currency + "}";
    }

    private static boolean isJsonObject(String body) {
        try {
            return JSON.readTree(body).isObject();
        } catch (JacksonException e) {
            return false;
        }
    }

    private static byte[] padded(int size) {
        // valid JSON that is too big: whitespace after the order (the limit is on bytes, not meaning)
        byte[] body = new byte[size];
        java.util.Arrays.fill(body, (byte) ' ');
        byte[] order = VALID.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(order, 0, body, 0, order.length);
        return body;
    }

    private static byte[] chunks(byte[] body) {
        ByteArrayOutputStream chunked = new ByteArrayOutputStream();
        for (int at = 0; at < body.length; at += 8192) {
            int n = Math.min(8192, body.length - at);
            chunked.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            chunked.write(body, at, n);
            chunked.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        chunked.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        return chunked.toByteArray();
    }

    private static String[] manyHeaders(int total) {
        int count = total / 100 + 1;
        String[] headers = new String[count];
        for (int i = 0; i < count; i++) {
            headers[i] = "X-Padding-" + i + ": " + "b".repeat(90);
        }
        return headers;
    }

    // ---- exchanges and the one assertion every answer must pass

    private static RawHttp.Response post(String family, byte[] body) throws IOException {
        return exchange(
                family,
                "POST /api/orders HTTP/1.1",
                body,
                "Content-Type: application/json",
                "Content-Length: " + body.length);
    }

    private static RawHttp.Response exchange(String family, String requestLine, byte[] body, String... headers)
            throws IOException {
        StringBuilder head = new StringBuilder(requestLine)
                .append("\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer ")
                .append(token);
        for (String header : headers) {
            head.append("\r\n").append(header);
        }
        return counted(family, RawHttp.exchange(service.httpPort(), RawHttp.request(head.toString(), body)));
    }

    private static RawHttp.Response counted(String family, RawHttp.Response response) {
        SEEN.computeIfAbsent(family, f -> new ConcurrentHashMap<>())
                .computeIfAbsent(response.status(), s -> new AtomicInteger())
                .incrementAndGet();
        return response;
    }

    private static final List<String> LEAKS = List.of(
            "Exception",
            "\tat ",
            "at dev.",
            "at org.",
            "at java.",
            "tools.jackson",
            "org.springframework",
            "\"trace\"");

    static void assertProblem(RawHttp.Response response, int expectedStatus) {
        assertThat(expectedStatus).as("a client error").isBetween(400, 499);
        assertThat(response.status()).as(response.body()).isEqualTo(expectedStatus);
        assertThat(response.header("Content-Type")).as(response.body()).startsWith("application/problem+json");
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.path("status").asInt()).isEqualTo(expectedStatus);
        assertThat(problem.path("title").asString()).isNotBlank();
        assertThat(problem.path("type").asString()).isNotBlank();
        assertThat(response.body()).doesNotContain(LEAKS);
    }
}
