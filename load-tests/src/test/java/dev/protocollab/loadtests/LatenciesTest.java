package dev.protocollab.loadtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LatenciesTest {

    @Test
    void resetForgetsTheWarmUp() {
        Latencies latencies = new Latencies();
        latencies.recordNanos(TimeUnit.SECONDS.toNanos(5));
        latencies.reset();
        latencies.recordNanos(TimeUnit.MILLISECONDS.toNanos(2));

        Histogram histogram = latencies.snapshot();

        assertThat(histogram.getTotalCount()).isEqualTo(1);
        assertThat(histogram.getMaxValue()).isBetween(1_990L, 2_010L); // microseconds
    }

    @Test
    void snapshotsAccumulate() {
        Latencies latencies = new Latencies();
        latencies.recordNanos(1_000_000);
        latencies.snapshot();
        latencies.recordNanos(3_000_000);

        assertThat(latencies.snapshot().getTotalCount()).isEqualTo(2);
    }
}
