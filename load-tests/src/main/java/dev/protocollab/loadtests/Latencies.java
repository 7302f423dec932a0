package dev.protocollab.loadtests;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latencies recorded in microseconds from any thread (HdrHistogram's wait-free {@link Recorder}), reported
 * in milliseconds as {@code prefix.p50=...} lines, with the full percentile distribution written to a
 * {@code .hgrm} file when asked.
 */
final class Latencies {

    static final long HIGHEST_MICROS = TimeUnit.SECONDS.toMicros(120);

    private final Recorder recorder = new Recorder(HIGHEST_MICROS, 3);
    private Histogram total = new Histogram(HIGHEST_MICROS, 3);

    void recordNanos(long nanos) {
        recorder.recordValue(Math.min(Math.max(nanos / 1000, 0), HIGHEST_MICROS));
    }

    /** Forgets what was recorded so far (the warm-up). */
    void reset() {
        recorder.reset();
        total = new Histogram(HIGHEST_MICROS, 3);
    }

    Histogram snapshot() {
        total.add(recorder.getIntervalHistogram());
        return total.copy();
    }

    static void print(String prefix, Histogram histogram, String hgrmFile) throws IOException {
        System.out.printf("%s.count=%d%n", prefix, histogram.getTotalCount());
        for (double percentile : new double[] {50, 90, 99, 99.9}) {
            String name = percentile == 99.9 ? "p999" : "p" + (int) percentile;
            System.out.printf("%s.%s=%.3f%n", prefix, name, histogram.getValueAtPercentile(percentile) / 1000.0);
        }
        System.out.printf("%s.max=%.3f%n", prefix, histogram.getMaxValue() / 1000.0);
        if (hgrmFile != null && !hgrmFile.isBlank()) {
            try (PrintStream out = new PrintStream(new FileOutputStream(hgrmFile, true))) {
                out.println("# " + prefix + " (milliseconds)");
                histogram.outputPercentileDistribution(out, 1000.0);
            }
        }
    }
}
