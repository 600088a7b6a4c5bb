package com.proposalsapp.registrar.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 10's Redis access flags end to end: {@code run} and {@code check} as an operator starts
 * them, as the ACL user {@code docs/operations.md} documents (exactly its rules, read from the
 * page) and over TLS with a CA and a client certificate, against Redis and Sentinels that take
 * nothing else. Before, there was no ACL user (a password file holding {@code user password} gave
 * WRONGPASS) and no TLS. Each test also runs {@code check} without the flag under test, which must
 * fail: the flag is what makes it pass.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class RedisAccessFlagsIT {

  private static final String ADMIN = "admin-pw-c41d";
  private static final String AGENT = "registrar-pw-0b9e";
  private static final String USER = "registrar";

  @Test
  void runAndCheckAsTheDocumentedAclUser() throws IOException {
    try (Sandbox sandbox =
        Sandbox.start(
            "RedisAccessFlagsIT-acl",
            Sandbox.Options.defaults().withSecurity(RespSecurity.password(ADMIN)))) {
      createTheDocumentedUsers(sandbox);
      List<String> access = aclUser(sandbox);

      assertPublishedAndChecked(sandbox, "acl", access);

      List<String> withoutUser = new ArrayList<>(access);
      withoutUser.removeAll(List.of("--redis-user", "--sentinel-user", USER));
      AgentProcess.Result check = check(sandbox, withoutUser);
      assertThat(check.exitCode()).as("the default user with the agent's password").isEqualTo(1);
      assertThat(check.stdout()).contains("WRONGPASS").doesNotContain(AGENT);
    }
  }

  @Test
  void runAndCheckOverTlsWithACaAndAClientCertificate() throws IOException {
    Path dir = Sandbox.createDir("RedisAccessFlagsIT-certificates");
    TestTls tls = TestTls.create(dir.resolve("tls"), "DNS:localhost", "IP:127.0.0.1");
    RespSecurity security = RespSecurity.password(ADMIN).withTls(tls, "yes");
    try (Sandbox sandbox =
        Sandbox.start(
            "RedisAccessFlagsIT-tls", Sandbox.Options.defaults().withSecurity(security))) {
      createTheDocumentedUsers(sandbox);
      List<String> access = new ArrayList<>(aclUser(sandbox));
      for (String server : List.of("redis", "sentinel")) {
        access.addAll(
            List.of(
                "--" + server + "-tls",
                "--" + server + "-cacert",
                tls.ca().toString(),
                "--" + server + "-cert",
                tls.clientCert().toString(),
                "--" + server + "-key",
                tls.clientKey().toString()));
      }

      assertPublishedAndChecked(sandbox, "tls", access);

      List<String> plaintext = new ArrayList<>(access);
      plaintext.removeAll(List.of("--redis-tls", "--sentinel-tls"));
      plaintext.subList(plaintext.indexOf("--redis-cacert"), plaintext.size()).clear();
      AgentProcess.Result check = check(sandbox, plaintext);
      assertThat(check.exitCode()).as("plaintext to TLS-only servers").isEqualTo(1);
    }
  }

  /**
   * {@code run} beside the master publishes its record (master, confirmed, with the master key) and
   * {@code check} beside a replica passes, both with {@code access}.
   */
  private static void assertPublishedAndChecked(Sandbox sandbox, String tag, List<String> access) {
    int master = sandbox.redis().indexOf(sandbox.redisAt(sandbox.currentMasterAddress()));
    int replica = (master + 1) % sandbox.redis().size();
    List<String> args = new ArrayList<>(access);
    args.addAll(List.of("--poll-interval", "200ms"));
    try (AgentProcess agent =
        Agents.start(
            sandbox,
            master,
            "agent-" + tag,
            sandbox.etcd().endpoint(),
            sandbox.sentinelAddresses(),
            Map.of(),
            args.toArray(String[]::new))) {
      String id = Agents.id(sandbox, master);
      await(id + " published as master")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .untilAsserted(
              () -> {
                assertThat(Records.get(sandbox.etcd(), id).map(Records::role))
                    .as(String.join("\n", agent.stderrLines()))
                    .contains("master");
                assertThat(sandbox.etcd().get(Records.MASTER_KEY).map(Records::parse))
                    .hasValueSatisfying(k -> assertThat(k.path("id").asText()).isEqualTo(id));
              });
      assertThat(
              Records.get(sandbox.etcd(), id)
                  .orElseThrow()
                  .path("sentinel")
                  .path("agreeing")
                  .asInt())
          .isEqualTo(3);
      assertThat(agent.stderrLines())
          .noneMatch(l -> l.contains(" ERROR ") || l.contains(" WARN "))
          .noneMatch(l -> l.contains(AGENT));
    }

    AgentProcess.Result check =
        Agents.check(sandbox, replica, Map.of(), access.toArray(String[]::new));
    assertThat(check.exitCode()).as(check.stdout() + check.stderr()).isZero();
    assertThat(check.stdout())
        .contains("role:replica of")
        .contains("3/3 answered; 3 name")
        .doesNotContain("with errors")
        .doesNotContain(AGENT);
  }

  private static AgentProcess.Result check(Sandbox sandbox, List<String> access) {
    return Agents.check(sandbox, 0, Map.of(), access.toArray(String[]::new));
  }

  /** The documented user on every Redis and Sentinel (the Sentinel user is the same name). */
  private static void createTheDocumentedUsers(Sandbox sandbox) {
    for (RedisServer r : sandbox.redis()) {
      DocumentedAcl.apply(r, DocumentedAcl.REDIS, AGENT);
    }
    for (SentinelServer s : sandbox.sentinels()) {
      DocumentedAcl.apply(s, DocumentedAcl.SENTINEL, AGENT);
    }
  }

  /** {@code --redis-user registrar --redis-password-file F --sentinel-user ... (the same)}. */
  private static List<String> aclUser(Sandbox sandbox) throws IOException {
    Path file = sandbox.dir().resolve("registrar-password");
    Files.writeString(file, AGENT + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return List.of(
        "--redis-user",
        USER,
        "--redis-password-file",
        file.toString(),
        "--sentinel-user",
        USER,
        "--sentinel-password-file",
        file.toString());
  }
}
