package dev.protocollab.stream.grpc;

import dev.protocollab.contracts.stream.v1.StreamServiceGrpc;
import dev.protocollab.stream.StreamProperties;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.time.Duration;
import org.springframework.core.annotation.Order;
import org.springframework.grpc.server.GlobalServerInterceptor;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.stereotype.Component;

/**
 * Authenticates calls to {@code stream.v1.StreamService} from {@code authorization: Bearer <jwt>}
 * metadata, with the decoder and rules of the HTTP routes. Health and reflection stay open, as load
 * balancers and {@code grpcurl} expect (Spring gRPC's own security would lock them too: ADR 0003).
 *
 * <p>The decoder is reactive; this waits for it on the gRPC callback executor (virtual threads, see
 * {@link GrpcConfiguration}), never on an event loop, and not for longer than {@code
 * stream.security.grpc-token-check-timeout} (the JWKS is cached, so normally it is a signature check).
 */
@Component
@GlobalServerInterceptor
@Order(10)
class AuthenticationInterceptor implements ServerInterceptor {

    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final ReactiveJwtDecoder jwtDecoder;
    private final Duration timeout;

    AuthenticationInterceptor(ReactiveJwtDecoder jwtDecoder, StreamProperties properties) {
        this.jwtDecoder = jwtDecoder;
        this.timeout = properties.security().grpcTokenCheckTimeout();
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (!StreamServiceGrpc.SERVICE_NAME.equals(call.getMethodDescriptor().getServiceName())) {
            return next.startCall(call, headers);
        }
        String authorization = headers.get(AUTHORIZATION);
        Status refusal;
        if (authorization == null) {
            refusal = Status.UNAUTHENTICATED.withDescription("This service needs 'authorization: Bearer <token>'");
        } else if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            refusal = Status.UNAUTHENTICATED.withDescription("The authorization metadata is not a bearer token");
        } else {
            try {
                jwtDecoder.decode(authorization.substring(7).strip()).block(timeout);
                return next.startCall(call, headers);
            } catch (JwtException e) {
                refusal = Status.UNAUTHENTICATED.withDescription("The bearer token is not valid: " + e.getMessage());
            } catch (IllegalStateException e) {
                // block() timed out: the issuer's keys could not be fetched in time
                refusal = Status.UNAVAILABLE.withDescription("The token could not be checked in time; retry");
            }
        }
        call.close(refusal, new Metadata());
        return new ServerCall.Listener<>() {};
    }
}
