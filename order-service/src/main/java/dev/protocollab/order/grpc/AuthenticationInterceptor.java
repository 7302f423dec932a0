package dev.protocollab.order.grpc;

import dev.protocollab.contracts.order.v1.OrderServiceGrpc;
import dev.protocollab.order.OrdersProperties;
import dev.protocollab.order.security.Caller;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import org.springframework.core.annotation.Order;
import org.springframework.grpc.server.GlobalServerInterceptor;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.stereotype.Component;

/**
 * Authenticates calls to {@code order.v1.OrderService} from the {@code authorization: Bearer <jwt>}
 * metadata, with the same decoder and rules as the REST API. Health and reflection stay open, as load
 * balancers and {@code grpcurl} expect.
 */
@Component
@GlobalServerInterceptor
@Order(10)
class AuthenticationInterceptor implements ServerInterceptor {

    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> DEVELOPMENT_HEADER =
            Metadata.Key.of("x-customer-id", Metadata.ASCII_STRING_MARSHALLER);

    private final JwtDecoder jwtDecoder;
    private final boolean developmentHeader;

    AuthenticationInterceptor(JwtDecoder jwtDecoder, OrdersProperties properties) {
        this.jwtDecoder = jwtDecoder;
        this.developmentHeader = properties.security().developmentHeader();
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (!OrderServiceGrpc.SERVICE_NAME.equals(call.getMethodDescriptor().getServiceName())) {
            return next.startCall(call, headers);
        }
        Caller caller;
        try {
            caller = authenticate(headers);
        } catch (JwtException | IllegalArgumentException e) {
            call.close(
                    Status.UNAUTHENTICATED.withDescription("The bearer token is not valid: " + e.getMessage()),
                    new Metadata());
            return new ServerCall.Listener<>() {};
        }
        if (caller == null) {
            call.close(
                    Status.UNAUTHENTICATED.withDescription("This service needs 'authorization: Bearer <token>'"),
                    new Metadata());
            return new ServerCall.Listener<>() {};
        }
        return Contexts.interceptCall(Context.current().withValue(GrpcCaller.KEY, caller), call, headers, next);
    }

    private Caller authenticate(Metadata headers) {
        String authorization = headers.get(AUTHORIZATION);
        if (authorization != null) {
            if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw new IllegalArgumentException("not a bearer token");
            }
            Jwt jwt = jwtDecoder.decode(authorization.substring(7).strip());
            return Caller.of(jwt.getSubject(), jwt.getClaims().get("scope"));
        }
        String customer = headers.get(DEVELOPMENT_HEADER);
        if (developmentHeader && Caller.isValid(customer)) {
            return new Caller(customer);
        }
        return null;
    }
}
