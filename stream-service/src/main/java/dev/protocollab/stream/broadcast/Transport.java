package dev.protocollab.stream.broadcast;

/** How a subscriber is connected; a tag on every subscriber metric. */
public enum Transport {
    SSE("sse"),
    WEBSOCKET("websocket"),
    GRPC("grpc"),
    SIGNALING("signaling");

    private final String tag;

    Transport(String tag) {
        this.tag = tag;
    }

    public String tag() {
        return tag;
    }
}
