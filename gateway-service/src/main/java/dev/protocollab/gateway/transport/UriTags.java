package dev.protocollab.gateway.transport;

/** The {@code uri} tag of Reactor Netty's meters: the first two path segments, never an id. */
final class UriTags {

    private UriTags() {}

    static String template(String uri) {
        int query = uri.indexOf('?');
        String path = query >= 0 ? uri.substring(0, query) : uri;
        int first = path.indexOf('/', 1);
        if (first < 0) {
            return path.isEmpty() ? "/" : path;
        }
        int second = path.indexOf('/', first + 1);
        return second < 0 ? path : path.substring(0, second) + "/**";
    }
}
