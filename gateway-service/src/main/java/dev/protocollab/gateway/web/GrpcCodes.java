package dev.protocollab.gateway.web;

import org.springframework.http.HttpStatus;

/** gRPC status codes the gateway answers with, and which one stands for an HTTP failure. */
public final class GrpcCodes {

    public static final int CANCELLED = 1;
    public static final int UNKNOWN = 2;
    public static final int INVALID_ARGUMENT = 3;
    public static final int DEADLINE_EXCEEDED = 4;
    public static final int NOT_FOUND = 5;
    public static final int PERMISSION_DENIED = 7;
    public static final int RESOURCE_EXHAUSTED = 8;
    public static final int UNIMPLEMENTED = 12;
    public static final int INTERNAL = 13;
    public static final int UNAVAILABLE = 14;
    public static final int UNAUTHENTICATED = 16;

    private GrpcCodes() {}

    /**
     * Mostly gRPC's own HTTP-to-status table; the gateway's 429 and 413 are RESOURCE_EXHAUSTED and its
     * 504 is DEADLINE_EXCEEDED, because the gateway knows those causes precisely.
     */
    static int forHttpStatus(HttpStatus status) {
        return switch (status) {
            case BAD_REQUEST -> INVALID_ARGUMENT;
            case UNAUTHORIZED -> UNAUTHENTICATED;
            case FORBIDDEN -> PERMISSION_DENIED;
            case NOT_FOUND, METHOD_NOT_ALLOWED -> UNIMPLEMENTED;
            case TOO_MANY_REQUESTS, CONTENT_TOO_LARGE, REQUEST_HEADER_FIELDS_TOO_LARGE -> RESOURCE_EXHAUSTED;
            case BAD_GATEWAY, SERVICE_UNAVAILABLE -> UNAVAILABLE;
            case GATEWAY_TIMEOUT -> DEADLINE_EXCEEDED;
            default -> status.is5xxServerError() ? INTERNAL : UNKNOWN;
        };
    }
}
