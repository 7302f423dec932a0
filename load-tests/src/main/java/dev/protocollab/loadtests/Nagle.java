package dev.protocollab.loadtests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Nagle's algorithm meets delayed ACKs: a request written in two small writes (say, headers then body)
 * on a socket without {@code TCP_NODELAY} holds its second write until the first is acknowledged, and the
 * receiver, still waiting for the rest of the request, delays that ACK (about 40 ms on Linux). Each
 * request-response round trip below is write, write, read on one kept-alive connection.
 *
 * <p>Part one is self-contained: a loopback server that also answers in two writes, for each combination
 * of client and server {@code TCP_NODELAY}. Part two (with {@code --target}) sends a real HTTP GET split
 * into two writes to a running server, which sets {@code TCP_NODELAY} itself (Tomcat and Netty do), so
 * only the client's setting varies.
 */
final class Nagle {

    private static final int CHUNK = 64;

    private Nagle() {}

    static void run(Options options) throws Exception {
        int iterations = options.integer("iterations", 200);
        for (boolean serverNoDelay : new boolean[] {true, false}) {
            for (boolean clientNoDelay : new boolean[] {true, false}) {
                Latencies latencies = loopback(clientNoDelay, serverNoDelay, iterations);
                String prefix = "nagle.raw.client_nodelay_%s.server_nodelay_%s".formatted(clientNoDelay, serverNoDelay);
                Latencies.print(prefix, latencies.snapshot(), null);
            }
        }
        String target = options.string("target", null);
        if (target != null) {
            String path = options.string("path");
            Options.Auth auth = options.auth();
            for (boolean clientNoDelay : new boolean[] {true, false}) {
                Latencies latencies = http(target, path, auth, clientNoDelay, iterations);
                Latencies.print("nagle.http.client_nodelay_" + clientNoDelay, latencies.snapshot(), null);
            }
        }
    }

    private static Latencies loopback(boolean clientNoDelay, boolean serverNoDelay, int iterations) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread serving = Thread.ofPlatform().daemon().start(() -> serve(server, serverNoDelay));
            Latencies latencies = new Latencies();
            try (Socket socket = new Socket()) {
                socket.setTcpNoDelay(clientNoDelay);
                socket.connect(server.getLocalSocketAddress(), 2_000);
                socket.setSoTimeout(5_000);
                OutputStream out = socket.getOutputStream();
                InputStream in = socket.getInputStream();
                byte[] chunk = new byte[CHUNK];
                for (int i = 0; i < iterations + 20; i++) {
                    if (i == 20) {
                        latencies.reset(); // the first round trips run in Linux's quick-ACK mode
                    }
                    long start = System.nanoTime();
                    out.write(chunk);
                    out.write(chunk);
                    in.readNBytes(2 * CHUNK);
                    latencies.recordNanos(System.nanoTime() - start);
                }
            }
            serving.join(5_000);
            return latencies;
        }
    }

    /** Reads two chunks, answers with two chunks (a response header, then its body), until the client leaves. */
    private static void serve(ServerSocket server, boolean noDelay) {
        try (Socket socket = server.accept()) {
            socket.setTcpNoDelay(noDelay);
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            byte[] chunk = new byte[CHUNK];
            while (in.readNBytes(2 * CHUNK).length == 2 * CHUNK) {
                out.write(chunk);
                out.write(chunk);
            }
        } catch (IOException e) {
            // the client went away: this experiment is over
        }
    }

    private static Latencies http(String target, String path, Options.Auth auth, boolean noDelay, int iterations)
            throws IOException {
        String[] hostPort = target.split(":");
        InetSocketAddress address = new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
        byte[] head = ("GET " + path + " HTTP/1.1\r\nHost: " + target + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] rest = ((auth.present() ? auth.header() + ": " + auth.value() + "\r\n" : "")
                        + "Accept: application/json\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        Latencies latencies = new Latencies();
        Socket socket = null;
        try {
            for (int i = 0; i < iterations + 20; i++) {
                if (i == 20) {
                    latencies.reset();
                }
                if (socket == null) {
                    // Tomcat closes a kept-alive connection after 100 requests (maxKeepAliveRequests)
                    socket = new Socket();
                    socket.setTcpNoDelay(noDelay);
                    socket.connect(address, 2_000);
                    socket.setSoTimeout(5_000);
                }
                long start = System.nanoTime();
                socket.getOutputStream().write(head);
                socket.getOutputStream().write(rest);
                Response response = readResponse(socket.getInputStream());
                latencies.recordNanos(System.nanoTime() - start);
                if (response.status() != 200) {
                    throw new IOException("expected 200 from " + path + ", got " + response.status());
                }
                if (response.closing()) {
                    socket.close();
                    socket = null;
                }
            }
        } finally {
            if (socket != null) {
                socket.close();
            }
        }
        return latencies;
    }

    private record Response(int status, boolean closing) {}

    /** Reads one HTTP/1.1 response (Content-Length or chunked body): its status, and whether the server closes. */
    private static Response readResponse(InputStream in) throws IOException {
        String head = readUntilBlankLine(in);
        int status = Integer.parseInt(head.substring(9, 12));
        boolean closing = head.toLowerCase().contains("\r\nconnection: close");
        boolean chunked = false;
        long length = 0;
        for (String line : head.split("\r\n")) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                length = Long.parseLong(line.substring(15).strip());
            }
            if (line.regionMatches(true, 0, "Transfer-Encoding:", 0, 18)
                    && line.toLowerCase().contains("chunked")) {
                chunked = true;
            }
        }
        if (!chunked) {
            in.readNBytes((int) length);
            return new Response(status, closing);
        }
        while (true) {
            int size = Integer.parseInt(readLine(in).split(";")[0].strip(), 16);
            in.readNBytes(size);
            readLine(in); // the CRLF after the chunk
            if (size == 0) {
                return new Response(status, closing);
            }
        }
    }

    private static String readUntilBlankLine(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        String line;
        while (!(line = readLine(in)).isEmpty()) {
            head.append(line).append("\r\n");
        }
        return head.toString();
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new IOException("connection closed mid-response");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }
}
