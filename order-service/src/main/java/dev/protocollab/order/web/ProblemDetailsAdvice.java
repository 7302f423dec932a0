package dev.protocollab.order.web;

import dev.protocollab.order.idempotency.IdempotencyKeyReusedException;
import dev.protocollab.order.longpolling.WaitOutOfRangeException;
import dev.protocollab.order.orders.InvalidOrderException;
import dev.protocollab.order.orders.OrderNotCancellableException;
import dev.protocollab.order.orders.OrderNotFoundException;
import dev.protocollab.order.orders.PreconditionRequiredException;
import dev.protocollab.order.orders.StaleVersionException;
import jakarta.validation.ConstraintViolationException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every failure of the REST API as an RFC 9457 {@code application/problem+json} body with {@code type},
 * {@code title}, {@code status} and {@code detail}; never a stack trace. Spring MVC's own exceptions
 * (unknown route, wrong method, unreadable body, bad parameter) are mapped by the base class.
 */
@RestControllerAdvice
class ProblemDetailsAdvice extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemDetailsAdvice.class);
    private static final String TYPES = "https://protocol-lab.dev/problems/";

    @ExceptionHandler
    ProblemDetail notFound(OrderNotFoundException e) {
        return problem(HttpStatus.NOT_FOUND, "order-not-found", "Order not found", e.getMessage());
    }

    @ExceptionHandler
    ProblemDetail invalidOrder(InvalidOrderException e) {
        ProblemDetail problem = problem(HttpStatus.BAD_REQUEST, "invalid-order", "Invalid order", e.getMessage());
        problem.setProperty(
                "errors",
                e.violations().stream()
                        .map(v -> Map.of("field", v.field(), "message", v.message()))
                        .toList());
        return problem;
    }

    @ExceptionHandler
    ProblemDetail invalidParameter(ConstraintViolationException e) {
        ProblemDetail problem =
                problem(HttpStatus.BAD_REQUEST, "invalid-parameter", "Invalid parameter", e.getMessage());
        List<Map<String, String>> errors = e.getConstraintViolations().stream()
                .map(v -> Map.of("field", v.getPropertyPath().toString(), "message", v.getMessage()))
                .toList();
        problem.setProperty("errors", errors);
        return problem;
    }

    @ExceptionHandler
    ProblemDetail keyReused(IdempotencyKeyReusedException e) {
        return problem(
                HttpStatus.UNPROCESSABLE_CONTENT, "idempotency-key-reused", "Idempotency key reused", e.getMessage());
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> stale(StaleVersionException e) {
        return ResponseEntity.status(HttpStatus.PRECONDITION_FAILED)
                .eTag("\"" + e.currentVersion() + "\"")
                .body(problem(HttpStatus.PRECONDITION_FAILED, "stale-version", "Stale version", e.getMessage()));
    }

    @ExceptionHandler
    ProblemDetail preconditionRequired(PreconditionRequiredException e) {
        return problem(HttpStatus.PRECONDITION_REQUIRED, "precondition-required", "If-Match required", e.getMessage());
    }

    @ExceptionHandler
    ProblemDetail notCancellable(OrderNotCancellableException e) {
        ProblemDetail problem = problem(
                HttpStatus.CONFLICT, "order-not-cancellable", "Order can no longer be cancelled", e.getMessage());
        problem.setProperty("status-of-order", e.status().name());
        return problem;
    }

    @ExceptionHandler
    ProblemDetail waitOutOfRange(WaitOutOfRangeException e) {
        return problem(HttpStatus.BAD_REQUEST, "wait-out-of-range", "Wait out of range", e.getMessage());
    }

    /** The last resort: logged with its stack trace here, answered without it. */
    @ExceptionHandler
    ProblemDetail unexpected(Exception e) {
        log.error("Unhandled failure", e);
        return problem(
                HttpStatus.INTERNAL_SERVER_ERROR,
                "internal",
                "Internal error",
                "The request failed on our side; it is safe to retry idempotent requests");
    }

    /** Keeps Jackson's parser messages (which quote the input) out of the answer, but says where it broke. */
    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(
            HttpMessageNotReadableException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        ProblemDetail problem = problem(
                HttpStatus.BAD_REQUEST,
                "malformed-request",
                "Malformed request body",
                "The body is not the JSON this endpoint expects" + location(e));
        return ResponseEntity.badRequest().body(problem);
    }

    private static String location(HttpMessageNotReadableException e) {
        Throwable cause = e.getMostSpecificCause();
        if (cause instanceof tools.jackson.databind.DatabindException databind
                && !databind.getPath().isEmpty()) {
            return " (at " + databind.getPathReference() + ")";
        }
        return "";
    }

    private static ProblemDetail problem(HttpStatus status, String type, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create(TYPES + type));
        problem.setTitle(title);
        return problem;
    }
}
