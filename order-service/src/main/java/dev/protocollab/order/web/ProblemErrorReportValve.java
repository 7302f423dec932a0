package dev.protocollab.order.web;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.tomcat.util.res.StringManager;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;

/**
 * Tomcat's own error answers (a request it cannot parse, headers over {@code
 * server.max-http-request-header-size}) as problem+json instead of an HTML page. They never reach Spring
 * MVC, so {@link ProblemDetailsAdvice} cannot answer them. Headers over the limit are 431 (RFC 6585), not
 * Tomcat's generic 400.
 */
public class ProblemErrorReportValve extends ErrorReportValve {

    private static final String HEADERS_TOO_LARGE =
            StringManager.getManager("org.apache.coyote.http11").getString("iib.requestheadertoolarge.error");
    private static final String TOO_MANY_HEADERS =
            prefix(StringManager.getManager("org.apache.tomcat.util.http").getString("headers.maxCountFail"));

    @Override
    protected void report(Request request, Response response, Throwable failure) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        String detail = "The request could not be processed";
        if (isHeadersTooLarge(failure)) {
            status = HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE.value();
            response.setStatus(status);
            detail = "The request line and headers are larger, or more, than this server accepts";
        } else if (status == 400) {
            detail = "The request is not valid HTTP";
        }
        HttpStatus known = HttpStatus.resolve(status);
        String title = known == null ? "Error" : known.getReasonPhrase();
        String type = "https://protocol-lab.dev/problems/" + title.toLowerCase().replaceAll("[^a-z0-9]+", "-");
        try {
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            response.setCharacterEncoding(StandardCharsets.UTF_8.name());
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write("{\"type\":\"" + type + "\",\"title\":\"" + title + "\",\"status\":" + status
                        + ",\"detail\":\"" + detail + "\"}");
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // the connection is gone; nothing more to tell the client
        }
    }

    /** Tomcat says so only in its (localised) messages; they are compared in the JVM's own locale. */
    private static boolean isHeadersTooLarge(Throwable failure) {
        return failure != null
                && failure.getMessage() != null
                && (HEADERS_TOO_LARGE.equals(failure.getMessage())
                        || failure.getMessage().startsWith(TOO_MANY_HEADERS));
    }

    private static String prefix(String pattern) {
        int placeholder = pattern.indexOf('{');
        return placeholder < 0 ? pattern : pattern.substring(0, placeholder);
    }
}
