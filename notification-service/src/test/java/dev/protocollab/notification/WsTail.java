package dev.protocollab.notification;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A command-line WebSocket client for trying {@code /ws/notifications} by hand, JDK only, so it runs from
 * source: {@code java notification-service/src/test/java/dev/protocollab/notification/WsTail.java
 * "ws://localhost:8082/ws/notifications?after=0&access_token=$TOKEN" [seconds]}. Prints every message,
 * acknowledges each notification as a UI would once it has shown it, and prints the close code.
 */
public final class WsTail {

    private static final Pattern SEQ = Pattern.compile("\"seq\":(\\d+)");

    private WsTail() {}

    public static void main(String[] args) throws Exception {
        Duration runFor = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 3600);
        CompletableFuture<String> closed = new CompletableFuture<>();
        WebSocket socket = HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create(args[0]), new WebSocket.Listener() {
                    private final StringBuilder partial = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            String message = partial.toString();
                            partial.setLength(0);
                            System.out.println(message);
                            Matcher seq = SEQ.matcher(message);
                            if (seq.find()) {
                                webSocket.sendText("{\"type\":\"ack\",\"seq\":" + seq.group(1) + "}", true);
                            }
                        }
                        webSocket.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                        closed.complete("closed by the server: " + statusCode + " " + reason);
                        return null;
                    }

                    @Override
                    public void onError(WebSocket webSocket, Throwable error) {
                        closed.complete("failed: " + error);
                    }
                })
                .get(15, TimeUnit.SECONDS);
        try {
            System.out.println(closed.get(runFor.toSeconds(), TimeUnit.SECONDS));
        } catch (TimeoutException e) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
        }
    }
}
