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
import java.util.Locale;
import java.util.Map;
import org.apache.tomcat.util.http.InvalidParameterException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DatabindException;

/**
 * Every failure of the REST API as an RFC 9457 {@code application/problem+json} body with {@code type},
 * {@code title}, {@code status} and {@code detail}; never a stack trace. Spring MVC's own exceptions
 * (unknown route, wrong method, unreadable body, bad parameter) are mapped by the base class.
 */
@RestControllerAdvice
public class ProblemDetailsAdvice extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemDetailsAdvice.class);
    private static final String TYPES = "https://protocol-lab.dev/problems/";
    private static final URI ABOUT_BLANK = URI.create("about:blank");

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

    /**
     * Spring Security's firewall checks header values lazily, when the controller first reads them, so a
     * header it refuses surfaces here rather than in {@link
     * dev.protocollab.order.security.ProblemRequestRejectedHandler}: a bad request, not our failure.
     */
    @ExceptionHandler
    ProblemDetail rejected(RequestRejectedException e) {
        return rejectedRequest();
    }

    public static ProblemDetail rejectedRequest() {
        return problem(
                HttpStatus.BAD_REQUEST,
                "rejected-request",
                "Rejected request",
                "The request holds characters or a form this service does not accept");
    }

    /**
     * Tomcat refuses a query string it cannot decode (a bad {@code %} escape, bytes that are not UTF-8) the
     * first time a parameter is read, which is inside the handler: the client's error, so a 400.
     */
    @ExceptionHandler
    ProblemDetail undecodableParameter(InvalidParameterException e) {
        return problem(
                HttpStatus.BAD_REQUEST,
                "invalid-parameter",
                "Invalid parameter",
                "The query string is not valid percent-encoded UTF-8");
    }

    /**
     * The database refused, dropped or could not lend a connection in time (it restarts, fails over, or is
     * slow enough to empty the pool). Nothing was committed, or the outcome of a create is settled by its
     * Idempotency-Key, so the client should retry: a 503 with {@code Retry-After} says so, and lets the
     * gateway's retry and circuit breaker treat it as the transient failure it is, where a 500 would not.
     */
    @ExceptionHandler({
        CannotCreateTransactionException.class,
        TransactionSystemException.class,
        DataAccessResourceFailureException.class,
        TransientDataAccessException.class
    })
    ResponseEntity<ProblemDetail> databaseUnavailable(Exception e) {
        log.warn("Database unavailable: {}", e.toString());
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, "1")
                .body(problem(
                        HttpStatus.SERVICE_UNAVAILABLE,
                        "database-unavailable",
                        "Database unavailable",
                        "The order database is unavailable for a moment; retry (a create with the same "
                                + "Idempotency-Key never makes a second order)"));
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

    @ExceptionHandler
    ResponseEntity<ProblemDetail> bodyTooLarge(RequestBodyLimitFilter.BodyTooLargeException e) {
        return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE)
                .header(HttpHeaders.CONNECTION, "close")
                .body(tooLarge(e.limit));
    }

    static ProblemDetail tooLarge(long limit) {
        return problem(
                HttpStatus.CONTENT_TOO_LARGE,
                "request-too-large",
                "Request body too large",
                "The body must be at most " + limit + " bytes");
    }

    /**
     * Keeps Jackson's parser messages (which quote the input) out of the answer, but says where it broke. A
     * read that failed because the body passed the size limit is a 413, not a malformed body.
     */
    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(
            HttpMessageNotReadableException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof RequestBodyLimitFilter.BodyTooLargeException tooLarge) {
                return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE)
                        .header(HttpHeaders.CONNECTION, "close")
                        .body(tooLarge(tooLarge.limit));
            }
        }
        ProblemDetail problem = problem(
                HttpStatus.BAD_REQUEST,
                "malformed-request",
                "Malformed request body",
                "The body is not the JSON this endpoint expects" + location(e));
        return ResponseEntity.badRequest().body(problem);
    }

    /**
     * Where in the body it broke, as the client's own field names ({@code items[0].quantity}); Jackson's
     * path reference would name our classes ({@code OrderController$CreateOrderRequest["items"]}).
     */
    private static String location(HttpMessageNotReadableException e) {
        Throwable cause = e.getMostSpecificCause();
        if (!(cause instanceof DatabindException databind) || databind.getPath().isEmpty()) {
            return "";
        }
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference reference : databind.getPath()) {
            if (reference.getPropertyName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(reference.getPropertyName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? "" : " (at " + path + ")";
    }

    /**
     * Spring MVC's own problems (unsupported media type, unknown route, bad parameter…) come with {@code
     * type: about:blank}; give them a type in our namespace like every other problem this service answers.
     */
    @Override
    protected ResponseEntity<Object> createResponseEntity(
            Object body, HttpHeaders headers, HttpStatusCode statusCode, WebRequest request) {
        if (body instanceof ProblemDetail problem
                && (problem.getType() == null || ABOUT_BLANK.equals(problem.getType()))) {
            String title = problem.getTitle() == null ? "error" : problem.getTitle();
            problem.setType(URI.create(TYPES + title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-")));
        }
        return super.createResponseEntity(body, headers, statusCode, request);
    }

    private static ProblemDetail problem(HttpStatus status, String type, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create(TYPES + type));
        problem.setTitle(title);
        return problem;
    }
}
