package dev.protocollab.order.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NewOrderTest {

    @Test
    void totalIsExactDecimalArithmetic() {
        NewOrder order =
                NewOrder.of(List.of(new NewOrder.Line("A", 3, "0.10"), new NewOrder.Line("B", 1, "0.20")), "EUR");

        assertThat(order.total().toPlainString()).isEqualTo("0.50");
    }

    @Test
    void theSameRequestWrittenDifferentlyHasTheSameFingerprint() {
        NewOrder a = NewOrder.of(List.of(new NewOrder.Line("A", 1, "12.5")), "EUR");
        NewOrder b = NewOrder.of(List.of(new NewOrder.Line("A", 1, "12.50")), "EUR");
        NewOrder c = NewOrder.of(List.of(new NewOrder.Line("A", 2, "12.50")), "EUR");

        assertThat(a.fingerprint()).isEqualTo(b.fingerprint()).isNotEqualTo(c.fingerprint());
    }

    @ParameterizedTest
    @ValueSource(strings = {"12.345", "-1", "1e3", "1,00", " 1", "01.00", "1000000000", ""})
    void pricesMustBeDecimalStringsWithTwoFractionDigitsAtMost(String price) {
        assertThatThrownBy(() -> NewOrder.of(List.of(new NewOrder.Line("A", 1, price)), "EUR"))
                .isInstanceOfSatisfying(
                        InvalidOrderException.class,
                        e -> assertThat(e.violations())
                                .extracting(InvalidOrderException.Violation::field)
                                .containsExactly("items[0].unitPrice"));
    }

    @Test
    void everyBrokenRuleIsReportedAtOnce() {
        assertThatThrownBy(() -> NewOrder.of(List.of(new NewOrder.Line(null, null, null)), "EURO"))
                .isInstanceOfSatisfying(
                        InvalidOrderException.class,
                        e -> assertThat(e.violations())
                                .extracting(InvalidOrderException.Violation::field)
                                .containsExactly(
                                        "currency", "items[0].sku", "items[0].quantity", "items[0].unitPrice"));
    }

    @Test
    void anOrderHasOneToAHundredLines() {
        assertThatThrownBy(() -> NewOrder.of(List.of(), "EUR")).isInstanceOf(InvalidOrderException.class);
        assertThatThrownBy(() -> NewOrder.of(Collections.nCopies(101, new NewOrder.Line("A", 1, "1")), "EUR"))
                .isInstanceOf(InvalidOrderException.class);
        assertThat(NewOrder.of(Collections.nCopies(100, new NewOrder.Line("A", 10_000, "999999999.99")), "EUR")
                        .total()
                        .toPlainString())
                .isEqualTo("999999999990000.00");
    }

    @Test
    void unknownCurrenciesAreRefused() {
        assertThatThrownBy(() -> NewOrder.of(List.of(new NewOrder.Line("A", 1, "1")), "ABC"))
                .isInstanceOf(InvalidOrderException.class);
    }
}
