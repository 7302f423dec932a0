package dev.protocollab.stream.web;

import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.reactive.result.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every failure of the HTTP routes as an RFC 9457 {@code application/problem+json} body with {@code type},
 * {@code title}, {@code status} and {@code detail}; WebFlux's own exceptions (unknown route, wrong method,
 * unacceptable media type) are mapped by the base class.
 */
@RestControllerAdvice
class ProblemDetailsAdvice extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemDetailsAdvice.class);
    private static final String TYPES = "https://protocol-lab.dev/problems/";

    /**
     * The content type is set explicitly: the request accepted only {@code text/event-stream}, and WebFlux
     * would otherwise write the problem as an SSE event.
     */
    @ExceptionHandler
    ResponseEntity<ProblemDetail> unknownTopic(UnknownTopicException e) {
        return ResponseEntity.status(HttpStatus.NOT_FOUND)
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem(HttpStatus.NOT_FOUND, "unknown-topic", "Unknown topic", e.getMessage()));
    }

    /** The last resort: logged with its stack trace here, answered without it. */
    @ExceptionHandler
    ProblemDetail unexpected(Exception e) {
        log.error("Unhandled failure", e);
        return problem(
                HttpStatus.INTERNAL_SERVER_ERROR, "internal", "Internal error", "The request failed on our side");
    }

    private static ProblemDetail problem(HttpStatus status, String type, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create(TYPES + type));
        problem.setTitle(title);
        return problem;
    }
}
