package dev.protocollab.testsupport;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/2 frames written by hand (RFC 9113 §4.1), for tests that must send what no well-behaved client
 * library would: rapid resets, SETTINGS and PING floods, frames that ignore the peer.
 */
public final class Http2Frames {

    /** What a client sends first on a connection that speaks HTTP/2 from the start (prior knowledge). */
    public static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    public static final int HEADERS = 0x1;
    public static final int RST_STREAM = 0x3;
    public static final int SETTINGS = 0x4;
    public static final int PING = 0x6;
    /** HEADERS flags: END_STREAM | END_HEADERS, a whole GET in one frame. */
    public static final int END_STREAM_AND_HEADERS = 0x5;

    private Http2Frames() {}

    /** One frame: the 9-byte header (length, type, flags, stream id) and the payload. */
    public static byte[] frame(int type, int flags, int stream, byte[] payload) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(9 + payload.length);
        frame.write(payload.length >>> 16);
        frame.write(payload.length >>> 8);
        frame.write(payload.length);
        frame.write(type);
        frame.write(flags);
        frame.write(stream >>> 24);
        frame.write(stream >>> 16);
        frame.write(stream >>> 8);
        frame.write(stream);
        frame.writeBytes(payload);
        return frame.toByteArray();
    }

    /**
     * The HPACK block of {@code GET http://authority/path}: indexed :method and :scheme, then :path and
     * :authority as literals without indexing or Huffman coding, so no decoder state is needed to write it.
     */
    public static byte[] getRequest(String path, String authority) {
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        block.write(0x82); // :method GET
        block.write(0x86); // :scheme http
        literal(block, 0x04, path); // :path, name from the static table
        literal(block, 0x01, authority); // :authority
        return block.toByteArray();
    }

    private static void literal(ByteArrayOutputStream block, int nameIndex, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length > 126) {
            throw new IllegalArgumentException("longer than a one-byte HPACK length: " + value);
        }
        block.write(nameIndex); // literal header field without indexing, indexed name (4-bit prefix)
        block.write(bytes.length); // no Huffman coding
        block.writeBytes(bytes);
    }
}
