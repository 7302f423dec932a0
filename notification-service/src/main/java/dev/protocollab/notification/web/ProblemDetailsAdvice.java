package dev.protocollab.notification.web;

import dev.protocollab.notification.webhooks.TooManyWebhooksException;
import dev.protocollab.notification.webhooks.WebhookNotFoundException;
import dev.protocollab.notification.webhooks.WebhookTargetRejectedException;
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
    ProblemDetail invalidPosition(InvalidPositionException e) {
        return problem(HttpStatus.BAD_REQUEST, "invalid-parameter", "Invalid parameter", e.getMessage());
    }

    @ExceptionHandler
    ProblemDetail waitOutOfRange(WaitOutOfRangeException e) {
        return problem(HttpStatus.BAD_REQUEST, "wait-out-of-range", "Wait out of range", e.getMessage());
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
    ProblemDetail targetRejected(WebhookTargetRejectedException e) {
        return problem(HttpStatus.BAD_REQUEST, "webhook-target-rejected", "Webhook target not allowed", e.getMessage());
    }

    @ExceptionHandler
    ProblemDetail webhookNotFound(WebhookNotFoundException e) {
        return problem(HttpStatus.NOT_FOUND, "webhook-not-found", "Webhook not found", e.getMessage());
    }

    @ExceptionHandler
    ProblemDetail tooManyWebhooks(TooManyWebhooksException e) {
        return problem(HttpStatus.CONFLICT, "too-many-webhooks", "Too many webhooks", e.getMessage());
    }

    /** The last resort: logged with its stack trace here, answered without it. */
    @ExceptionHandler
    ProblemDetail unexpected(Exception e) {
        log.error("Unhandled failure", e);
        return problem(
                HttpStatus.INTERNAL_SERVER_ERROR,
                "internal",
                "Internal error",
                "The request failed on our side; it is safe to retry");
    }

    /** Keeps Jackson's parser messages (which quote the input) out of the answer. */
    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(
            HttpMessageNotReadableException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        return ResponseEntity.badRequest()
                .body(problem(
                        HttpStatus.BAD_REQUEST,
                        "malformed-request",
                        "Malformed request body",
                        "The body is not the JSON this endpoint expects"));
    }

    private static ProblemDetail problem(HttpStatus status, String type, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create(TYPES + type));
        problem.setTitle(title);
        return problem;
    }
}
