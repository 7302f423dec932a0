package dev.protocollab.cli;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.util.ArrayList;
import java.util.List;

/** The little JSON handling the client needs beyond protobuf's JsonFormat. */
final class Json {

    private static final JsonFormat.Printer DETAILS = JsonFormat.printer()
            .omittingInsignificantWhitespace()
            .usingTypeRegistry(JsonFormat.TypeRegistry.newBuilder()
                    .add(com.google.rpc.ErrorInfo.getDescriptor())
                    .add(com.google.rpc.BadRequest.getDescriptor())
                    .add(com.google.rpc.ResourceInfo.getDescriptor())
                    .add(com.google.rpc.PreconditionFailure.getDescriptor())
                    .add(com.google.rpc.RetryInfo.getDescriptor())
                    .add(com.google.rpc.QuotaFailure.getDescriptor())
                    .build());

    private Json() {}

    /** Splits a text holding zero or more JSON objects ({@code {...} {...}} or one per line). */
    static List<String> objects(String text) {
        List<String> objects = new ArrayList<>();
        if (text == null) {
            return objects;
        }
        int depth = 0;
        int start = -1;
        boolean inString = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
                continue;
            }
            switch (c) {
                case '"' -> inString = true;
                case '{' -> {
                    if (depth++ == 0) {
                        start = i;
                    }
                }
                case '}' -> {
                    if (--depth == 0) {
                        objects.add(text.substring(start, i + 1));
                    } else if (depth < 0) {
                        throw new IllegalArgumentException("unbalanced '}' in the request data");
                    }
                }
                default -> {
                    if (depth == 0 && !Character.isWhitespace(c)) {
                        throw new IllegalArgumentException("request data must be JSON objects");
                    }
                }
            }
        }
        if (depth != 0 || inString) {
            throw new IllegalArgumentException("unterminated JSON object in the request data");
        }
        return objects;
    }

    /** A {@code google.rpc} detail as JSON when its type is known, else its type URL only. */
    static String describe(Any detail) {
        try {
            return DETAILS.print(detail);
        } catch (InvalidProtocolBufferException e) {
            return "(" + detail.getSerializedSize() + " bytes)";
        }
    }

    static String print(Message message) throws InvalidProtocolBufferException {
        return JsonFormat.printer().print(message);
    }
}
