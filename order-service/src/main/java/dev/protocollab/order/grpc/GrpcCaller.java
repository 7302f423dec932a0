package dev.protocollab.order.grpc;

import dev.protocollab.order.security.Caller;
import io.grpc.Context;
import io.grpc.Status;

/** The authenticated caller of the current gRPC call, put in the call's {@link Context} by the interceptor. */
final class GrpcCaller {

    static final Context.Key<Caller> KEY = Context.key("protocol-lab.caller");

    private GrpcCaller() {}

    static Caller current() {
        Caller caller = KEY.get();
        if (caller == null) {
            throw Status.UNAUTHENTICATED.withDescription("no caller").asRuntimeException();
        }
        return caller;
    }
}
