package dev.protocollab.order.orders;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/** A validated request to create an order, whichever protocol it came in on. */
public record NewOrder(List<LineItem> items, String currency) {

    public static final int MAX_ITEMS = 100;
    public static final int MAX_QUANTITY = 10_000;
    private static final Pattern SKU = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    // At most 999,999,999.99 per unit: with MAX_ITEMS and MAX_QUANTITY the total always fits numeric(17,2).
    private static final Pattern PRICE = Pattern.compile("(0|[1-9][0-9]{0,8})(\\.[0-9]{1,2})?");
    private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");

    /** One line as a client sent it, before validation. Any field may be missing. */
    public record Line(String sku, Integer quantity, String unitPrice) {}

    public NewOrder {
        items = List.copyOf(items);
    }

    /**
     * The one place the rules of a valid order live, so REST and gRPC refuse exactly the same requests.
     *
     * @throws InvalidOrderException naming every field that breaks a rule
     */
    public static NewOrder of(List<Line> lines, String currency) {
        List<InvalidOrderException.Violation> violations = new ArrayList<>();
        if (currency == null || !CURRENCY.matcher(currency).matches() || !isIsoCurrency(currency)) {
            violations.add(new InvalidOrderException.Violation("currency", "must be an ISO 4217 code such as EUR"));
        }
        if (lines == null || lines.isEmpty() || lines.size() > MAX_ITEMS) {
            violations.add(
                    new InvalidOrderException.Violation("items", "must hold between 1 and " + MAX_ITEMS + " lines"));
            throw new InvalidOrderException(violations);
        }
        List<LineItem> items = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            Line line = lines.get(i);
            String at = "items[" + i + "]";
            if (line == null) {
                violations.add(new InvalidOrderException.Violation(at, "must not be null"));
                continue;
            }
            boolean valid = true;
            if (line.sku() == null || !SKU.matcher(line.sku()).matches()) {
                violations.add(new InvalidOrderException.Violation(
                        at + ".sku", "must be 1 to 64 letters, digits, '.', '_' or '-'"));
                valid = false;
            }
            if (line.quantity() == null || line.quantity() < 1 || line.quantity() > MAX_QUANTITY) {
                violations.add(
                        new InvalidOrderException.Violation(at + ".quantity", "must be between 1 and " + MAX_QUANTITY));
                valid = false;
            }
            if (line.unitPrice() == null || !PRICE.matcher(line.unitPrice()).matches()) {
                violations.add(new InvalidOrderException.Violation(
                        at + ".unitPrice",
                        "must be a decimal string with at most two fraction digits, e.g. \"12.50\""));
                valid = false;
            }
            if (valid) {
                items.add(new LineItem(line.sku(), line.quantity(), new BigDecimal(line.unitPrice()).setScale(2)));
            }
        }
        if (!violations.isEmpty()) {
            throw new InvalidOrderException(violations);
        }
        return new NewOrder(items, currency);
    }

    private static boolean isIsoCurrency(String code) {
        try {
            Currency.getInstance(code);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public BigDecimal total() {
        return items.stream()
                .map(LineItem::subtotal)
                .reduce(BigDecimal.ZERO, BigDecimal::add)
                .setScale(2, RoundingMode.UNNECESSARY);
    }

    /**
     * A digest of what the request asks for, so a repeated {@code Idempotency-Key} can be told apart from
     * a reused one. {@code 12.5} and {@code 12.50} are the same price and hash the same.
     */
    public String fingerprint() {
        StringBuilder canonical = new StringBuilder(currency);
        for (LineItem item : items) {
            canonical
                    .append('\n')
                    .append(item.sku())
                    .append('|')
                    .append(item.quantity())
                    .append('|')
                    .append(item.unitPrice()
                            .setScale(2, RoundingMode.UNNECESSARY)
                            .toPlainString());
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
