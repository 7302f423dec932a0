package dev.protocollab.gateway.abuse;

import dev.protocollab.testsupport.Http2Frames;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A client connection from a chosen loopback source address (Linux routes all of 127.0.0.0/8 to lo), so
 * each test has an address of its own, speaking HTTP/1.1 or writing HTTP/2 frames one by one over h2c
 * (prior knowledge), misbehaving as no client library would. Every read has a deadline.
 */
final class RawClient implements AutoCloseable {

    static final int ENHANCE_YOUR_CALM = 0xb;

    private final Socket socket;
    private final int port;
    private final boolean resetAtConnect;

    RawClient(String source, int port) throws IOException {
        this(source, port, false);
    }

    /** With {@code tls}, a TLS connection offering only h2 by ALPN (the development certificate is not checked). */
    RawClient(String source, int port, boolean tls) throws IOException {
        this.port = port;
        Socket tcp = new Socket();
        tcp.bind(new InetSocketAddress(source, 0));
        tcp.setSoTimeout(5_000);
        Socket connected = tcp;
        boolean reset = false;
        try {
            tcp.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            if (tls) {
                connected = h2OverTls(tcp);
            }
        } catch (SocketException | SSLException refusedAtAccept) {
            // the gateway reset the connection so fast that the reset met the handshake's end
            reset = true;
        }
        this.socket = connected;
        this.resetAtConnect = reset;
    }

    private SSLSocket h2OverTls(Socket tcp) throws IOException {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
            SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(tcp, "localhost", port, true);
            SSLParameters parameters = tls.getSSLParameters();
            parameters.setApplicationProtocols(new String[] {"h2"});
            tls.setSSLParameters(parameters);
            tls.startHandshake();
            if (!"h2".equals(tls.getApplicationProtocol())) {
                throw new IllegalStateException("ALPN chose " + tls.getApplicationProtocol());
            }
            return tls;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    boolean resetAtConnect() {
        return resetAtConnect;
    }

    /**
     * Whether the gateway answers an HTTP/1.1 request on this connection (kept alive). A connection refused
     * at accept time was reset: the write or the read fails, or the read meets the end of the stream.
     */
    boolean served() {
        if (resetAtConnect) {
            return false;
        }
        try {
            OutputStream out = socket.getOutputStream();
            out.write(("GET /.well-known/jwks.json HTTP/1.1\r\nHost: localhost\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] status = new byte[12];
            new DataInputStream(socket.getInputStream()).readFully(status);
            if (!new String(status, StandardCharsets.US_ASCII).equals("HTTP/1.1 200")) {
                return false;
            }
            drainResponse();
            return true;
        } catch (EOFException | SocketException refused) {
            return false;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The rest of a small response: headers then a Content-Length body. */
    private void drainResponse() throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            head.append((char) in.readUnsignedByte());
        }
        String lower = head.toString().toLowerCase();
        int at = lower.indexOf("content-length:");
        if (at >= 0) {
            int end = lower.indexOf("\r\n", at);
            in.readFully(new byte[Integer.parseInt(lower.substring(at + 15, end).trim())]);
        }
    }

    RawClient preface() throws IOException {
        write(Http2Frames.PREFACE);
        return frame(Http2Frames.SETTINGS, 0, 0, new byte[0]); // empty
    }

    /** {@code count} streams each opened (GET, END_STREAM) and cancelled at once: the rapid-reset pattern. */
    RawClient rapidResets(int count) throws IOException {
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        for (int i = 0, stream = 1; i < count; i++, stream += 2) {
            batch.writeBytes(Http2Frames.frame(
                    Http2Frames.HEADERS,
                    Http2Frames.END_STREAM_AND_HEADERS,
                    stream,
                    Http2Frames.getRequest("/.well-known/jwks.json", "127.0.0.1:" + port)));
            batch.writeBytes(Http2Frames.frame(Http2Frames.RST_STREAM, 0, stream, new byte[] {0, 0, 0, 8})); // CANCEL
        }
        write(batch.toByteArray());
        return this;
    }

    RawClient settings(int count) throws IOException {
        byte[] maxConcurrentStreams100 = {0, 3, 0, 0, 0, 100};
        return repeat(count, Http2Frames.frame(Http2Frames.SETTINGS, 0, 0, maxConcurrentStreams100));
    }

    RawClient pings(int count) throws IOException {
        return repeat(count, Http2Frames.frame(Http2Frames.PING, 0, 0, new byte[8]));
    }

    private RawClient repeat(int count, byte[] frame) throws IOException {
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        for (int i = 0; i < count; i++) {
            batch.writeBytes(frame);
        }
        write(batch.toByteArray());
        return this;
    }

    RawClient frame(int type, int flags, int stream, byte[] payload) throws IOException {
        write(Http2Frames.frame(type, flags, stream, payload));
        return this;
    }

    /**
     * Reads frames until a GOAWAY and returns its error code, or -1 if the connection ended without one
     * (read deadline: the socket's 5 s).
     */
    long goAwayErrorCode() throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        try {
            while (true) {
                int length = in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
                int type = in.readUnsignedByte();
                in.skipNBytes(5); // flags, stream id
                byte[] payload = new byte[length];
                in.readFully(payload);
                if (type == 0x7) {
                    return ((payload[4] & 0xffL) << 24)
                            | ((payload[5] & 0xff) << 16)
                            | ((payload[6] & 0xff) << 8)
                            | (payload[7] & 0xff);
                }
            }
        } catch (EOFException | SocketException closed) {
            return -1;
        }
    }

    /** True once the gateway has closed the connection (end of stream or reset); false at the 5 s deadline. */
    boolean closedByServer() throws IOException {
        byte[] discard = new byte[8192];
        try {
            while (socket.getInputStream().read(discard) >= 0) {
                // what the gateway sent before closing
            }
            return true;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (SocketException reset) {
            return true;
        }
    }

    private void write(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
