package dev.protocollab.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The image build, checked statically, and its health check script run for real. */
class DockerfileTest {

    private static final String DOCKERFILE = Repository.read(Repository.DOCKERFILE);
    private static final Path HEALTHCHECK = Repository.DEPLOY.resolve("docker/healthcheck.sh");

    @Test
    void theImageIsBuiltAsAgreed() {
        assertThat(DockerfileChecks.check(DOCKERFILE)).isEmpty();
    }

    @Test
    void kubernetesRunsThePodsAsTheImagesUser() {
        int user = DockerfileChecks.user(DOCKERFILE);
        Cluster cluster = Cluster.of(Kustomize.render(Repository.K8S.resolve("overlays/prod")));

        assertThat(Repository.SERVICES)
                .allSatisfy(service -> assertThat(
                                Maps.get(cluster.workloads().get(service).podSpec(), "securityContext", "runAsUser"))
                        .isEqualTo(user));
    }

    @Test
    void anImageWithoutAUserIsCaught() {
        String broken = DOCKERFILE.replaceAll("(?m)^USER .*$", "");

        assertThat(DockerfileChecks.check(broken)).contains("the image does not run as a numeric non-root USER");
    }

    @Test
    void anImageRunningAsRootIsCaught() {
        assertThat(DockerfileChecks.check(DOCKERFILE.replaceAll("(?m)^USER .*$", "USER root")))
                .contains("the image does not run as a numeric non-root USER");
        assertThat(DockerfileChecks.check(DOCKERFILE.replaceAll("(?m)^USER .*$", "USER 0:0")))
                .contains("the image does not run as a numeric non-root USER");
    }

    @Test
    void anImageWithoutAHealthCheckOrWithASecretIsCaught() {
        String broken = DOCKERFILE
                .replaceAll("(?m)^HEALTHCHECK .*$", "")
                .replace("ARG APP_UID=10001", "ARG APP_UID=10001\nENV RABBITMQ_PASSWORD=guest");

        assertThat(DockerfileChecks.check(broken))
                .contains("no HEALTHCHECK", "ENV RABBITMQ_PASSWORD would put a secret into the image");
    }

    @Test
    void theHealthCheckPassesOnlyWhenTheManagementPortAnswers200() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/actuator/health/readiness", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.createContext("/actuator/health/liveness", exchange -> {
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        server.start();
        try {
            int port = server.getAddress().getPort();
            assertThat(healthcheck(port)).isZero();
            assertThat(healthcheck(port, "/actuator/health/liveness")).isNotZero();
        } finally {
            server.stop(0);
        }
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        assertThat(healthcheck(closed)).isNotZero();
    }

    private static int healthcheck(int port, String... path) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("bash", HEALTHCHECK.toString());
        builder.command().addAll(java.util.List.of(path));
        builder.environment().put("HEALTHCHECK_PORT", String.valueOf(port));
        Process process = builder.redirectErrorStream(true).start();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the health check took over 10 s");
        }
        return process.exitValue();
    }
}
