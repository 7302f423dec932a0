package dev.protocollab.stream.web;

import dev.protocollab.stream.StreamProperties;
import io.netty.channel.ChannelOption;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Part of the slow-consumer policy, below the mailboxes: each accepted HTTP connection (SSE response,
 * WebSocket session) gets a fixed kernel send buffer of {@code stream.subscribers.socket-send-buffer}.
 *
 * <p>With Linux's send-buffer autotuning a connection whose client stopped reading absorbed megabytes of
 * events before Reactor Netty stopped asking its mailbox for more, so the bound that matters, what one
 * stalled subscriber can cost, was the kernel's ({@code net.ipv4.tcp_wmem}, 4 MiB here), not ours. A fixed
 * buffer (which turns autotuning off for the socket) keeps it to the mailbox plus a few tens of KiB. Live
 * events are small and few per second, so 64 KiB in flight is far from limiting even on a slow link.
 */
@Configuration(proxyBeanMethods = false)
class SocketBuffers {

    @Bean
    NettyServerCustomizer socketSendBuffer(StreamProperties properties) {
        int bytes = Math.toIntExact(properties.subscribers().socketSendBuffer().toBytes());
        return server -> server.childOption(ChannelOption.SO_SNDBUF, bytes);
    }
}
