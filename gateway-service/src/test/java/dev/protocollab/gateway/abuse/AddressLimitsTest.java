package dev.protocollab.gateway.abuse;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The per-address bookkeeping on a clock the test moves. */
class AddressLimitsTest {

    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong now = new AtomicLong(42 * SECOND);
    private final AddressLimits limits = new AddressLimits(
            new AbuseProperties(
                    true, 2, 3, 2, Duration.ofSeconds(10), 100, Duration.ofSeconds(10), 200, Duration.ofSeconds(10), 3),
            now::get);

    @Test
    void aBurstThenTheRefillRate() throws Exception {
        InetAddress a = InetAddress.getByName("192.0.2.1");
        for (int i = 0; i < 3; i++) {
            assertThat(limits.admit(a)).isEqualTo(AddressLimits.Verdict.ADMITTED);
            limits.closed(a);
        }
        assertThat(limits.admit(a)).isEqualTo(AddressLimits.Verdict.RATE);
        now.addAndGet(SECOND / 2); // 2 a second: one token
        assertThat(limits.admit(a)).isEqualTo(AddressLimits.Verdict.ADMITTED);
        assertThat(limits.admit(a)).isEqualTo(AddressLimits.Verdict.RATE);
        assertThat(limits.admit(InetAddress.getByName("192.0.2.2"))).isEqualTo(AddressLimits.Verdict.ADMITTED);
    }

    @Test
    void openConnectionsAreCountedUntilClosed() throws Exception {
        InetAddress a = InetAddress.getByName("192.0.2.1");
        assertThat(limits.admit(a)).isEqualTo(AddressLimits.Verdict.ADMITTED);
        assertThat(limits.admit(a)).isEqualTo(AddressLimits.Verdict.ADMITTED);
        assertThat(limits.admit(a)).isEqualTo(AddressLimits.Verdict.OPEN_CONNECTIONS);
        limits.closed(a);
        assertThat(limits.admit(a)).isEqualTo(AddressLimits.Verdict.ADMITTED);
    }

    @Test
    void aPenaltyRefusesEverythingUntilItEnds() throws Exception {
        InetAddress a = InetAddress.getByName("192.0.2.1");
        limits.penalize(a);
        assertThat(limits.penalized()).isEqualTo(1);
        assertThat(limits.admit(a)).isEqualTo(AddressLimits.Verdict.PENALTY);
        now.addAndGet(10 * SECOND - 1);
        assertThat(limits.admit(a)).isEqualTo(AddressLimits.Verdict.PENALTY);
        now.addAndGet(1);
        assertThat(limits.admit(a)).isEqualTo(AddressLimits.Verdict.ADMITTED);
        assertThat(limits.penalized()).isZero();
    }

    @Test
    void anIpv6AddressCountsByItsSlash64() throws Exception {
        InetAddress one = InetAddress.getByName("2001:db8:1:2::1");
        InetAddress other = InetAddress.getByName("2001:db8:1:2:ffff::7");
        limits.penalize(one);
        assertThat(limits.admit(other)).isEqualTo(AddressLimits.Verdict.PENALTY);
        assertThat(limits.admit(InetAddress.getByName("2001:db8:1:3::1"))).isEqualTo(AddressLimits.Verdict.ADMITTED);
    }

    @Test
    void idleAddressesAreForgottenAndMemoryIsBounded() throws Exception {
        for (int i = 1; i <= 3; i++) {
            InetAddress address = InetAddress.getByName("192.0.2." + i);
            limits.admit(address);
            limits.closed(address);
        }
        assertThat(limits.tracked()).isEqualTo(3);
        // a fourth address past the bound of 3 while all are busy refilling: admitted, not tracked
        assertThat(limits.admit(InetAddress.getByName("192.0.2.4"))).isEqualTo(AddressLimits.Verdict.ADMITTED);
        assertThat(limits.tracked()).isEqualTo(3);
        now.addAndGet(60 * SECOND); // buckets full again, nothing open: swept on the next admission
        limits.admit(InetAddress.getByName("192.0.2.5"));
        assertThat(limits.tracked()).isEqualTo(1);
    }
}
