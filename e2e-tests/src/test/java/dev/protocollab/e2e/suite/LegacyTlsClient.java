package dev.protocollab.e2e.suite;

import dev.protocollab.cli.Tour;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Lets this test JVM offer TLS 1.1, so the tour can show that the gateway refuses it. The JDK reads its
 * TLS constraints once, when the first TLS class loads, so this runs as the JUnit launcher session opens,
 * before any test class (registered in META-INF/services).
 */
public final class LegacyTlsClient implements LauncherSessionListener {

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        Tour.allowLegacyTlsInThisClient();
    }
}
