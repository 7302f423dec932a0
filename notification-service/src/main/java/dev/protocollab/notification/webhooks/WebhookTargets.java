package dev.protocollab.notification.webhooks;

import dev.protocollab.notification.NotificationsProperties;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import org.springframework.stereotype.Component;

/**
 * Which callback URLs this service may POST to: the protection against server-side request forgery,
 * where a user registers a URL that makes this service call something inside our network for them.
 *
 * <p>A target must use an allowed scheme, carry no credentials, name a host on the allow-list (exact, or
 * {@code *.example.com} for subdomains, or {@code *} for any), and every address that host resolves to
 * must be public. Link-local (cloud metadata at 169.254.169.254), unspecified and multicast addresses are
 * always refused; loopback only with {@code allow-loopback}, private ranges only with
 * {@code allow-private-networks}. The check runs at registration and again before every send, since
 * the name may resolve elsewhere by then; redirects are never followed.
 */
@Component
class WebhookTargets {

    private final List<String> allowedHosts;
    private final List<String> allowedSchemes;
    private final boolean allowLoopback;
    private final boolean allowPrivateNetworks;

    WebhookTargets(NotificationsProperties properties) {
        NotificationsProperties.Webhooks settings = properties.webhooks();
        this.allowedHosts = settings.allowedHosts().stream()
                .map(h -> h.strip().toLowerCase(Locale.ROOT))
                .filter(h -> !h.isEmpty())
                .toList();
        this.allowedSchemes = settings.allowedSchemes().stream()
                .map(s -> s.strip().toLowerCase(Locale.ROOT))
                .toList();
        this.allowLoopback = settings.allowLoopback();
        this.allowPrivateNetworks = settings.allowPrivateNetworks();
    }

    /** The URL as we will call it, or an exception saying why we will not. */
    URI check(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException | NullPointerException e) {
            throw new WebhookTargetRejectedException("not a valid URL");
        }
        if (!uri.isAbsolute() || uri.getScheme() == null || uri.getHost() == null) {
            throw new WebhookTargetRejectedException("the URL must be absolute, with a host");
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!allowedSchemes.contains(scheme)) {
            throw new WebhookTargetRejectedException("the scheme must be one of " + allowedSchemes);
        }
        if (uri.getRawUserInfo() != null) {
            throw new WebhookTargetRejectedException("the URL must not carry credentials");
        }
        if (uri.getRawFragment() != null) {
            throw new WebhookTargetRejectedException("the URL must not have a fragment");
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (!onAllowList(host)) {
            throw new WebhookTargetRejectedException("host " + host + " is not on the webhook allow-list");
        }
        checkAddresses(host);
        return uri;
    }

    private boolean onAllowList(String host) {
        for (String allowed : allowedHosts) {
            if (allowed.equals("*") || allowed.equals(host)) {
                return true;
            }
            if (allowed.startsWith("*.") && host.endsWith(allowed.substring(1))) {
                return true;
            }
        }
        return false;
    }

    private void checkAddresses(String host) {
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new WebhookTargetRejectedException("host " + host + " does not resolve");
        }
        for (InetAddress address : addresses) {
            String refusal = refusal(address);
            if (refusal != null) {
                throw new WebhookTargetRejectedException(
                        "host " + host + " resolves to " + address.getHostAddress() + ", " + refusal);
            }
        }
    }

    private String refusal(InetAddress address) {
        if (address.isAnyLocalAddress() || address.isMulticastAddress() || isThisNetwork(address)) {
            return "which is not a unicast address";
        }
        if (address.isLinkLocalAddress()) {
            return "a link-local address (cloud metadata lives there)";
        }
        if (address.isLoopbackAddress()) {
            return allowLoopback ? null : "a loopback address";
        }
        if (address.isSiteLocalAddress() || isUniqueLocal(address) || isSharedAddressSpace(address)) {
            return allowPrivateNetworks ? null : "a private address";
        }
        return null;
    }

    /** 0.0.0.0/8: "this network", which some stacks route to the local host. */
    private static boolean isThisNetwork(InetAddress address) {
        byte[] bytes = address.getAddress();
        return bytes.length == 4 && bytes[0] == 0;
    }

    /** fc00::/7, IPv6's private range (Java's isSiteLocalAddress knows only the deprecated fec0::/10). */
    private static boolean isUniqueLocal(InetAddress address) {
        return address instanceof Inet6Address && (address.getAddress()[0] & 0xfe) == 0xfc;
    }

    /** 100.64.0.0/10, carrier-grade NAT: not public either. */
    private static boolean isSharedAddressSpace(InetAddress address) {
        byte[] bytes = address.getAddress();
        return bytes.length == 4 && (bytes[0] & 0xff) == 100 && (bytes[1] & 0xc0) == 64;
    }
}
