package com.proposalsapp.registrar.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 10 case 6: misconfiguration is loud. Against password-protected Redis and Sentinels, a
 * master name no Sentinel knows and a Sentinel password every Sentinel refuses each give one ERROR
 * line per Sentinel naming it (not one per cycle), a failing {@code check} that says how many
 * Sentinels answered and how many with an error, and the same in {@code /status} and the metrics.
 * Before, {@code --master-name wrongname} logged nothing above INFO, and {@code check} said {@code
 * 0/3 answered} of Sentinels that had all answered.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MisconfigurationIT {

  private static final String PASSWORD = "sandbox-pw-3e8b";
  private static final String WRONG = "not-the-pw-77aa";

  /** Cycles the agent must have run before the ERROR lines are counted: they must not repeat. */
  private static final int CYCLES = 10;

  @RegisterExtension
  static final SandboxExtension SANDBOX =
      SandboxExtension.of(Sandbox.Options.defaults().withSecurity(RespSecurity.password(PASSWORD)));

  @Test
  void aMasterNameNoSentinelKnowsIsLoudInTheLogCheckStatusAndMetrics() throws IOException {
    Sandbox sandbox = SANDBOX.get();
    String[] args =
        withPasswords(sandbox, "wrongname", PASSWORD, PASSWORD, "--master-name", "wrongname");

    try (AgentProcess agent = start(sandbox, "agent-wrong-name", args)) {
      String http = AgentHttp.address(agent);
      awaitCycles(agent, http);

      assertOneErrorPerSentinel(sandbox, agent, "no master named 'wrongname'");
      JsonNode sentinels =
          AgentHttp.get(http, "/status", Duration.ofSeconds(5)).json().path("sentinels");
      assertThat(sentinels.path("misconfigured").asInt()).isEqualTo(3);
      assertThat(sentinels.path("responded").asInt()).isEqualTo(3);
      assertThat(sentinels.path("each").findValuesAsText("problem"))
          .containsExactly("unknown_master", "unknown_master", "unknown_master");
      assertThat(metric(http, "redis_registrar_sentinels_misconfigured")).isEqualTo(3.0);
    }

    AgentProcess.Result check = Agents.check(sandbox, 0, Map.of(), args);
    assertThat(check.exitCode()).as(check.stdout() + check.stderr()).isEqualTo(1);
    String sentinelsLine = line(check, "sentinels");
    assertThat(sentinelsLine).contains("3/3 answered, 3 with errors");
    for (SentinelServer s : sandbox.sentinels()) {
      assertThat(sentinelsLine)
          .contains("Sentinel at " + s.address() + " monitors no master named 'wrongname'");
    }
    assertThat(check.stderr()).contains("3 Sentinels misconfigured");
  }

  @Test
  void aSentinelPasswordEverySentinelRefusesIsLoudAndNeverShown() throws IOException {
    Sandbox sandbox = SANDBOX.get();
    String[] args = withPasswords(sandbox, "wrongpass", PASSWORD, WRONG);

    try (AgentProcess agent = start(sandbox, "agent-wrong-password", args)) {
      String http = AgentHttp.address(agent);
      awaitCycles(agent, http);

      assertOneErrorPerSentinel(sandbox, agent, "WRONGPASS");
      String status = AgentHttp.get(http, "/status", Duration.ofSeconds(5)).body();
      JsonNode sentinels = Records.parse(status).path("sentinels");
      assertThat(sentinels.path("misconfigured").asInt()).isEqualTo(3);
      assertThat(sentinels.path("each").findValuesAsText("problem"))
          .containsExactly("auth", "auth", "auth");
      String metrics = AgentHttp.get(http, "/metrics", Duration.ofSeconds(5)).body();
      assertThat(AgentHttp.metric(metrics, "redis_registrar_sentinels_misconfigured"))
          .isEqualTo(3.0);
      assertThat(List.of(status, metrics, String.join("\n", agent.stderrLines())))
          .noneMatch(text -> text.contains(WRONG) || text.contains(PASSWORD));
    }

    AgentProcess.Result check = Agents.check(sandbox, 0, Map.of(), args);
    assertThat(check.exitCode()).as(check.stdout() + check.stderr()).isEqualTo(1);
    assertThat(line(check, "sentinels"))
        .contains("3/3 answered, 3 with errors")
        .contains("WRONGPASS");
    assertThat(check.stderr()).contains("3 Sentinels misconfigured");
    assertThat(check.stdout() + check.stderr()).doesNotContain(WRONG).doesNotContain(PASSWORD);
  }

  /**
   * The agent's flags beside Redis number 0 with both passwords given in files (named after {@code
   * tag}), then {@code extra}.
   */
  private static String[] withPasswords(
      Sandbox sandbox, String tag, String redisPassword, String sentinelPassword, String... extra)
      throws IOException {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "--redis-password-file",
                secret(sandbox, tag + "-redis-password", redisPassword).toString(),
                "--sentinel-password-file",
                secret(sandbox, tag + "-sentinel-password", sentinelPassword).toString()));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  private static Path secret(Sandbox sandbox, String name, String value) throws IOException {
    Path file = sandbox.dir().resolve(name);
    Files.writeString(file, value + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  private static AgentProcess start(Sandbox sandbox, String name, String... args) {
    List<String> all = new java.util.ArrayList<>(List.of(args));
    all.addAll(List.of("--poll-interval", "100ms"));
    return Agents.start(
        sandbox,
        0,
        name,
        sandbox.etcd().endpoint(),
        sandbox.sentinelAddresses(),
        Map.of(),
        all.toArray(String[]::new));
  }

  /** Waits until the agent has run {@link #CYCLES} reconcile cycles. */
  private static void awaitCycles(AgentProcess agent, String http) {
    await(CYCLES + " cycles of agent " + agent.pid())
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () ->
                AgentHttp.get(http, "/status", Duration.ofSeconds(5))
                        .json()
                        .path("counters")
                        .path("cycles")
                        .asInt()
                    >= CYCLES);
  }

  /** Exactly one ERROR line containing {@code problem} per Sentinel, each naming its Sentinel. */
  private static void assertOneErrorPerSentinel(
      Sandbox sandbox, AgentProcess agent, String problem) {
    List<String> errors =
        agent.stderrLines().stream()
            .filter(l -> l.contains("ERROR") && l.contains(problem))
            .toList();
    assertThat(errors).as(String.join("\n", agent.stderrLines())).hasSize(3);
    for (SentinelServer s : sandbox.sentinels()) {
      assertThat(errors).filteredOn(l -> l.contains("Sentinel at " + s.address())).hasSize(1);
    }
  }

  private static double metric(String http, String series) {
    return AgentHttp.metric(AgentHttp.get(http, "/metrics", Duration.ofSeconds(5)).body(), series);
  }

  /** The line of {@code check}'s output labelled {@code label}. */
  private static String line(AgentProcess.Result check, String label) {
    return check
        .stdout()
        .lines()
        .filter(l -> l.startsWith(label + " "))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + label + " line in " + check.stdout()));
  }
}
