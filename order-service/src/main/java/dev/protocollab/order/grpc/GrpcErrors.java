package dev.protocollab.order.grpc;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.PreconditionFailure;
import com.google.rpc.ResourceInfo;
import dev.protocollab.order.idempotency.IdempotencyKeyReusedException;
import dev.protocollab.order.orders.InvalidOrderException;
import dev.protocollab.order.orders.OrderNotCancellableException;
import dev.protocollab.order.orders.OrderNotFoundException;
import dev.protocollab.order.orders.StaleVersionException;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.grpc.server.exception.GrpcExceptionHandler;
import org.springframework.stereotype.Component;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;

/**
 * The gRPC twin of the REST problem details: each domain failure becomes the status code a gRPC client
 * expects, with machine-readable {@code google.rpc} details in {@code grpc-status-details-bin}.
 */
@Component
class GrpcErrors implements GrpcExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(GrpcErrors.class);
    static final String DOMAIN = "protocol-lab.dev";

    @Override
    public StatusException handleException(Throwable failure) {
        return switch (failure) {
            case StatusRuntimeException e -> e.getStatus().asException(e.getTrailers());
            case StatusException e -> e;
            case OrderNotFoundException e ->
                status(
                        Code.NOT_FOUND,
                        e.getMessage(),
                        Any.pack(ResourceInfo.newBuilder()
                                .setResourceType("order.v1.Order")
                                .setResourceName(e.orderId().toString())
                                .setDescription("no such order for this customer")
                                .build()));
            case InvalidOrderException e -> {
                BadRequest.Builder bad = BadRequest.newBuilder();
                e.violations()
                        .forEach(v -> bad.addFieldViolations(BadRequest.FieldViolation.newBuilder()
                                .setField(v.field())
                                .setDescription(v.message())));
                yield status(Code.INVALID_ARGUMENT, e.getMessage(), Any.pack(bad.build()));
            }
            case IdempotencyKeyReusedException e ->
                status(
                        Code.ALREADY_EXISTS,
                        e.getMessage(),
                        Any.pack(ErrorInfo.newBuilder()
                                .setDomain(DOMAIN)
                                .setReason("IDEMPOTENCY_KEY_REUSED")
                                .build()));
            case OrderNotCancellableException e ->
                status(
                        Code.FAILED_PRECONDITION,
                        e.getMessage(),
                        Any.pack(PreconditionFailure.newBuilder()
                                .addViolations(PreconditionFailure.Violation.newBuilder()
                                        .setType("STATUS")
                                        .setSubject(e.status().name())
                                        .setDescription("only PENDING and CONFIRMED orders can be cancelled"))
                                .build()));
            case StaleVersionException e ->
                status(
                        Code.ABORTED,
                        e.getMessage(),
                        Any.pack(ErrorInfo.newBuilder()
                                .setDomain(DOMAIN)
                                .setReason("STALE_VERSION")
                                .putMetadata("currentVersion", Long.toString(e.currentVersion()))
                                .build()));
            case IllegalArgumentException e ->
                Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asException();
            // the database is briefly unavailable: retryable, as UNAVAILABLE tells a gRPC client
            case CannotCreateTransactionException e -> databaseUnavailable(e);
            case TransactionSystemException e -> databaseUnavailable(e);
            case DataAccessResourceFailureException e -> databaseUnavailable(e);
            case TransientDataAccessException e -> databaseUnavailable(e);
            default -> {
                log.error("Unhandled failure in a gRPC call", failure);
                yield Status.INTERNAL
                        .withDescription("The call failed on our side")
                        .asException();
            }
        };
    }

    private static StatusException databaseUnavailable(Exception e) {
        log.warn("Database unavailable: {}", e.toString());
        return Status.UNAVAILABLE
                .withDescription("The order database is unavailable for a moment; retry")
                .asException();
    }

    private static StatusException status(Code code, String message, Any detail) {
        return StatusProto.toStatusException(com.google.rpc.Status.newBuilder()
                .setCode(code.getNumber())
                .setMessage(message)
                .addDetails(detail)
                .build());
    }
}
