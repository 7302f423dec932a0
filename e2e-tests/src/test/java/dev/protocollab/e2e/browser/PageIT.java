package dev.protocollab.e2e.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.protocollab.e2e.suite.FullSuite;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The Protocol Lab page in a real headless Chromium, served by the gateway of the running suite: the four
 * panes (short poll, long poll, SSE, WebSocket) each see the same order reach DELIVERED, and two pages
 * connect over WebRTC through stream-service's signaling and carry a message each way on a DataChannel.
 */
class PageIT {

    private static final Path ARTIFACTS = Path.of("target/screenshots");

    @Test
    void theFourPanesEachSeeTheOrderDelivered() throws Exception {
        FullSuite suite = FullSuite.shared();
        try (Browser browser = new Browser()) {
            WebDriver driver = browser.driver;
            driver.get(suite.gateway().httpUri() + "/");
            WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(20));

            WebElement subject = driver.findElement(By.id("subject"));
            subject.clear();
            subject.sendKeys("browser-" + UUID.randomUUID().toString().substring(0, 8));
            driver.findElement(By.cssSelector("#sign-in button")).click();
            wait.until(ExpectedConditions.elementToBeClickable(By.id("place-order")));
            // the push channels are open before the order exists, as a real client would have them
            wait.until(d -> !"0"
                    .equals(d.findElement(By.cssSelector("#pane-ws [data-field=requests]"))
                            .getText()));
            wait.until(d -> !"0"
                    .equals(d.findElement(By.cssSelector("#pane-sse [data-field=requests]"))
                            .getText()));
            driver.findElement(By.id("place-order")).click();

            new WebDriverWait(driver, Duration.ofSeconds(60))
                    .until(d -> List.of("short", "long", "sse", "ws").stream()
                            .allMatch(pane -> "DELIVERED"
                                    .equals(d.findElement(By.id("pane-" + pane)).getDomAttribute("data-status"))));

            for (String pane : List.of("short", "long", "sse", "ws")) {
                List<String> seen = driver.findElements(By.cssSelector("#pane-" + pane + " .changes li")).stream()
                        .map(item -> item.getDomAttribute("data-status"))
                        .toList();
                assertThat(seen).as(pane).containsSubsequence("PENDING", "DELIVERED");
            }
            int shortPolls = Integer.parseInt(driver.findElement(By.cssSelector("#pane-short [data-field=requests]"))
                    .getText());
            int longPolls = Integer.parseInt(driver.findElement(By.cssSelector("#pane-long [data-field=requests]"))
                    .getText());
            assertThat(shortPolls)
                    .as("short polling asks every second; long polling only once per change")
                    .isGreaterThan(longPolls);
            wait.until(d -> d.findElement(By.id("grpc-result")).getText().contains("grpc-status 0"));
            browser.screenshot(ARTIFACTS.resolve("protocol-lab.png"));
        }
    }

    @Test
    void twoPagesTalkOverAWebRtcDataChannel() throws Exception {
        FullSuite suite = FullSuite.shared();
        String room = "it-" + UUID.randomUUID().toString().substring(0, 8);
        String page = suite.gateway().httpUri() + "/rtc.html?autojoin=1&room=" + room;
        try (Browser browser = new Browser()) {
            WebDriver driver = browser.driver;
            driver.get(page + "&name=ann");
            String first = driver.getWindowHandle();
            WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30));
            wait.until(d -> d.findElement(By.id("me")).getText().startsWith("joined"));
            driver.switchTo().newWindow(WindowType.TAB);
            driver.get(page + "&name=ben");
            String second = driver.getWindowHandle();

            wait.until(d -> "open".equals(d.findElement(By.id("peer")).getDomAttribute("data-channel")));
            driver.switchTo().window(first);
            wait.until(d -> "open".equals(d.findElement(By.id("peer")).getDomAttribute("data-channel")));

            send(driver, "hello from ann");
            driver.switchTo().window(second);
            wait.until(d -> received(d).contains("ann: hello from ann"));
            send(driver, "hello from ben");
            wait.until(d -> !d.findElement(By.id("rtt")).getText().equals("—"));
            driver.switchTo().window(first);
            wait.until(d -> received(d).contains("ben: hello from ben"));
            assertThat(driver.findElement(By.id("ice-state")).getText()).isIn("connected", "completed");
            browser.screenshot(ARTIFACTS.resolve("webrtc.png"));
        }
    }

    private static void send(WebDriver driver, String text) {
        WebElement message = driver.findElement(By.id("message"));
        message.clear();
        message.sendKeys(text);
        driver.findElement(By.id("send-button")).click();
    }

    private static List<String> received(WebDriver driver) {
        return driver.findElements(By.cssSelector("#messages li[data-direction=received]")).stream()
                .map(WebElement::getText)
                .toList();
    }
}
