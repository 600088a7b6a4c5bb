package com.proposalsapp.registrar.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.proposalsapp.registrar.config.Credentials;
import com.proposalsapp.registrar.config.EtcdAccess;
import com.proposalsapp.registrar.config.Secret;
import com.proposalsapp.registrar.config.TlsFiles;
import com.proposalsapp.registrar.core.InstanceRecord;
import com.proposalsapp.registrar.core.Role;
import com.proposalsapp.registrar.core.SentinelSummary;
import com.proposalsapp.registrar.etcd.EtcdRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * etcd as production runs it: over TLS with client certificates, with auth and a role limited to
 * the prefix, and on IPv6 loopback. The certificates are made by {@link TestTls}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EtcdAccessIT {

  private static final String NAME = "proposalsapp-redis";
  private static final String GROUP = "/service/redis/" + NAME + "/";
  private static final String ID = "dc1-127.0.0.1-6379";
  private static final String USER = "registrar";
  private static final String PASSWORD = "s3cret-pw";

  private static Path dir;
  private static TestTls certs;
  private static Path ca;
  private static Path clientCert;
  private static Path clientKey;
  private static Etcd tls;
  private static Etcd auth;
  private static Etcd ipv6;

  @BeforeAll
  static void start() throws IOException {
    dir = Sandbox.createDir("EtcdAccessIT");
    certs = TestTls.create(dir.resolve("tls-files"), "IP:127.0.0.1", "DNS:localhost");
    ca = certs.ca();
    clientCert = certs.clientCert();
    clientKey = certs.clientKey();
    tls = new Etcd(dir, "tls", "127.0.0.1", true);
    tls.start();
    auth = new Etcd(dir, "auth", "127.0.0.1", false);
    auth.start();
    // The narrowest the agent and route need: read and write on the prefix; nothing else.
    auth.etcdctl("user", "add", "root:rootpw");
    auth.etcdctl("role", "add", "registrar");
    auth.etcdctl(
        "role", "grant-permission", "--prefix=true", "registrar", "readwrite", "/service/redis/");
    auth.etcdctl("user", "add", USER + ":" + PASSWORD);
    auth.etcdctl("user", "grant-role", USER, "registrar");
    auth.etcdctl("auth", "enable");
    Files.writeString(auth.dir().resolve("auth-enabled"), "");
    ipv6 = new Etcd(dir, "ipv6", "::1", false);
    ipv6.start();
  }

  @AfterAll
  static void stop() {
    for (Etcd e : new Etcd[] {tls, auth, ipv6}) {
      if (e != null) {
        e.close();
      }
    }
  }

  @Test
  void overTlsWithAClientCertificateTheRegistryWritesAndDeletes() throws Exception {
    EtcdAccess access =
        new EtcdAccess(
            List.of(URI.create(tls.endpoint())),
            new TlsFiles(ca, clientCert, clientKey),
            Credentials.NONE);

    assertWritesAndDeletes(access, tls);
  }

  @Test
  void theCommandLineTakesTheTlsFilesAndEtcdctlsVariables() {
    AgentProcess.Result flags =
        AgentProcess.run(
            Duration.ofSeconds(30),
            Map.of(),
            "status",
            "--etcd",
            tls.endpoint(),
            "--etcd-cacert",
            ca.toString(),
            "--etcd-cert",
            clientCert.toString(),
            "--etcd-key",
            clientKey.toString());
    AgentProcess.Result env =
        AgentProcess.run(
            Duration.ofSeconds(30),
            Map.of(
                "ETCDCTL_ENDPOINTS", tls.endpoint(),
                "ETCDCTL_CACERT", ca.toString(),
                "ETCDCTL_CERT", clientCert.toString(),
                "ETCDCTL_KEY", clientKey.toString()),
            "status");

    assertThat(flags.exitCode()).as(flags.stderr()).isZero();
    assertThat(flags.stdout()).contains("(no records)");
    assertThat(env.exitCode()).as(env.stderr()).isZero();
  }

  @Test
  void httpsWithoutTheCaOrWithoutAClientCertificateFailsAndNeverSpeaksPlaintext() {
    AgentProcess.Result untrusted =
        AgentProcess.run(Duration.ofSeconds(30), Map.of(), "status", "--etcd", tls.endpoint());
    AgentProcess.Result noClientCert =
        AgentProcess.run(
            Duration.ofSeconds(30),
            Map.of(),
            "status",
            "--etcd",
            tls.endpoint(),
            "--etcd-cacert",
            ca.toString());
    AgentProcess.Result plaintext =
        AgentProcess.run(
            Duration.ofSeconds(30), Map.of(), "status", "--etcd", "http://127.0.0.1:" + tls.port());

    for (AgentProcess.Result r : List.of(untrusted, noClientCert, plaintext)) {
      assertThat(r.exitCode()).as(r.stderr()).isEqualTo(1);
      assertThat(r.stderr().strip().lines()).as("one line").hasSize(1);
    }
    assertThat(plaintext.stderr()).contains("does etcd speak TLS");
    assertThat(untrusted.stderr()).contains("TLS");
    assertThat(noClientCert.stderr()).contains("TLS");
  }

  @Test
  void withAuthTheRoleOnThePrefixIsEnoughAndAWrongPasswordIsOneLine() throws Exception {
    EtcdAccess access =
        new EtcdAccess(
            List.of(URI.create(auth.endpoint())),
            null,
            new Credentials(USER, new Secret(PASSWORD)));

    assertWritesAndDeletes(access, auth);

    Path wrong = Files.writeString(dir.resolve("wrong-password"), "not-it\n");
    Files.setPosixFilePermissions(wrong, PosixFilePermissions.fromString("rw-------"));
    AgentProcess.Result refused =
        AgentProcess.run(
            Duration.ofSeconds(30),
            Map.of(),
            "status",
            "--etcd",
            auth.endpoint(),
            "--etcd-user",
            USER,
            "--etcd-password-file",
            wrong.toString());
    AgentProcess.Result fromEtcdctlUser =
        AgentProcess.run(
            Duration.ofSeconds(30),
            Map.of("ETCDCTL_USER", USER + ":" + PASSWORD),
            "status",
            "--etcd",
            auth.endpoint());

    assertThat(refused.exitCode()).as(refused.stderr()).isEqualTo(1);
    assertThat(refused.stderr().strip().lines()).hasSize(1);
    assertThat(refused.stderr()).contains("authentication failed").doesNotContain("not-it");
    assertThat(fromEtcdctlUser.exitCode()).as(fromEtcdctlUser.stderr()).isZero();
    assertThat(fromEtcdctlUser.stderr()).doesNotContain(PASSWORD);
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void sighupRereadsARotatedEtcdPasswordAndKeepsTheOldOneWhenTheFileIsBad() throws Exception {
    String user = "rotating";
    auth.etcdctl("user", "add", user + ":first-pw");
    auth.etcdctl("user", "grant-role", user, "registrar");
    Path file = dir.resolve("rotating-password");
    Files.writeString(file, "first-pw\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    try (Sandbox sandbox = Sandbox.start("EtcdAccessIT-rotation");
        AgentProcess agent =
            Agents.start(
                sandbox,
                0,
                "agent-rotation",
                auth.endpoint(),
                sandbox.sentinelAddresses(),
                Map.of(),
                "--etcd-user",
                user,
                "--etcd-password-file",
                file.toString(),
                "--resync-interval",
                "500ms")) {
      String key = GROUP + "instances/" + Agents.id(sandbox, 0);
      await().atMost(Duration.ofSeconds(30)).until(() -> !auth.etcdctl("get", key).isBlank());

      // An empty file is refused: the old password stays in use, and the agent keeps working.
      Files.writeString(file, "\n");
      hangUpAndAwaitLog(agent, "keeping the password");
      auth.etcdctl("del", key);
      await().atMost(Duration.ofSeconds(15)).until(() -> !auth.etcdctl("get", key).isBlank());

      // The rotation: the old password (and every token issued for it) stops working in etcd.
      auth.etcdctl("user", "delete", user);
      auth.etcdctl("user", "add", user + ":second-pw");
      auth.etcdctl("user", "grant-role", user, "registrar");
      Files.writeString(file, "second-pw\n");
      hangUpAndAwaitLog(agent, "re-read: changed");
      auth.etcdctl("del", key);

      await()
          .atMost(Duration.ofSeconds(15))
          .alias("the record is restored with the rotated password")
          .until(() -> !auth.etcdctl("get", key).isBlank());
      String output = String.join("\n", agent.stdoutLines()) + agent.stderrLines();
      assertThat(output).doesNotContain("first-pw").doesNotContain("second-pw");
    }
  }

  /** Sends SIGHUP and waits until the agent's log says {@code text}. */
  private static void hangUpAndAwaitLog(AgentProcess agent, String text) {
    agent.signal("HUP");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> String.join("\n", agent.stderrLines()).contains(text));
  }

  @Test
  void aPasswordOnTheCommandLineIsRefused() {
    AgentProcess.Result r =
        AgentProcess.run(
            Duration.ofSeconds(30),
            Map.of(),
            "status",
            "--etcd",
            auth.endpoint(),
            "--etcd-user",
            USER + ":" + PASSWORD);

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr()).contains("--etcd-password-file").doesNotContain(PASSWORD);
  }

  @Test
  void anIpv6LoopbackEndpointWorks() throws Exception {
    assertWritesAndDeletes(EtcdAccess.plain(List.of(URI.create(ipv6.endpoint()))), ipv6);
  }

  /** A lease, a record and the master key in one transaction, a guarded delete, a revoke. */
  private static void assertWritesAndDeletes(EtcdAccess access, Etcd etcd) throws Exception {
    try (EtcdRegistry registry =
        new EtcdRegistry(
            access, "/service/redis", NAME, Duration.ofSeconds(10), true, Duration.ofSeconds(5))) {
      long lease = registry.lease().id();
      assertThat(registry.writeAndClaimMaster(record(), lease)).isTrue();
      assertThat(etcd.etcdctl("get", "--prefix", "--keys-only", GROUP))
          .contains(GROUP + "instances/" + ID)
          .contains(GROUP + "master");
      assertThat(registry.list()).hasSize(1);
      assertThat(registry.delete(ID, lease)).isTrue();
      registry.revoke(lease);
      assertThat(etcd.etcdctl("get", "--prefix", "--keys-only", GROUP)).isBlank();
    }
  }

  private static InstanceRecord record() {
    return new InstanceRecord(
        ID,
        NAME,
        "dc1",
        "127.0.0.1",
        6379,
        Role.MASTER,
        null,
        null,
        null,
        new SentinelSummary(true, "127.0.0.1:6379", 3, 3, 1),
        "redis-registrar test",
        Instant.parse("2026-11-25T17:00:00Z"));
  }

  /** One etcd member on {@code host}, plaintext or TLS with client certificates required. */
  private static final class Etcd extends ServerProcess {
    private final String host;
    private final boolean tls;
    private final int peerPort = Ports.free();

    Etcd(Path parent, String name, String host, boolean tls) {
      super(parent, name);
      this.host = host;
      this.tls = tls;
    }

    String endpoint() {
      String h = host.contains(":") ? "[" + host + "]" : host;
      return (tls ? "https" : "http") + "://" + h + ":" + port();
    }

    @Override
    protected List<String> command() {
      String peer = "http://127.0.0.1:" + peerPort;
      List<String> c =
          new ArrayList<>(
              List.of(
                  "etcd",
                  "--name=" + name(),
                  "--data-dir=" + dir().resolve("data"),
                  "--listen-client-urls=" + endpoint(),
                  "--advertise-client-urls=" + endpoint(),
                  "--listen-peer-urls=" + peer,
                  "--initial-advertise-peer-urls=" + peer,
                  "--initial-cluster=" + name() + "=" + peer,
                  "--logger=zap",
                  "--log-outputs=stderr"));
      if (tls) {
        c.addAll(
            List.of(
                "--cert-file=" + certs.serverCert(),
                "--key-file=" + certs.serverKey(),
                "--client-cert-auth",
                "--trusted-ca-file=" + ca));
      }
      return c;
    }

    @Override
    protected boolean probe() {
      return Exec.run(Duration.ofSeconds(5), Map.of("ETCDCTL_API", "3"), ctl("endpoint", "health"))
              .exitCode()
          == 0;
    }

    String etcdctl(String... args) {
      AgentProcess.Result r =
          Exec.run(Duration.ofSeconds(30), Map.of("ETCDCTL_API", "3"), ctl(args));
      if (r.exitCode() != 0) {
        throw new IllegalStateException("etcdctl " + List.of(args) + ": " + r.stderr());
      }
      return r.stdout();
    }

    private List<String> ctl(String... args) {
      List<String> c = new ArrayList<>(List.of("etcdctl", "--endpoints=" + endpoint()));
      if (tls) {
        c.addAll(List.of("--cacert=" + ca, "--cert=" + clientCert, "--key=" + clientKey));
      }
      if (this == auth && authEnabled()) {
        c.add("--user=root:rootpw");
      }
      c.addAll(List.of(args));
      return c;
    }

    private boolean authEnabled() {
      return Files.exists(dir().resolve("auth-enabled"));
    }

    String log() {
      try {
        return Files.readString(logFile());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
