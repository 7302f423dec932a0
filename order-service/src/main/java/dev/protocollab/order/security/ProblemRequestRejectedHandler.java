package dev.protocollab.order.security;

import dev.protocollab.order.web.ProblemDetailsAdvice;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Spring Security's firewall refuses some requests before any controller runs (a {@code ;} or an encoded
 * {@code /} or {@code %00} in the path, for instance); by default the answer is Spring Boot's error JSON.
 * This makes it the same 400 problem+json as every other refusal.
 */
@Component
public class ProblemRequestRejectedHandler implements RequestRejectedHandler {

    private final JsonMapper json;

    ProblemRequestRejectedHandler(JsonMapper json) {
        this.json = json;
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, RequestRejectedException rejected)
            throws IOException {
        response.setStatus(HttpStatus.BAD_REQUEST.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        json.writeValue(response.getOutputStream(), ProblemDetailsAdvice.rejectedRequest());
    }
}
