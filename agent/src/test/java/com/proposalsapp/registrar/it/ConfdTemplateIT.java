package com.proposalsapp.registrar.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The confd template for those who keep confd ({@code nomad/confd/}), rendered from the records
 * real agents publish and checked with HAProxy's own {@code haproxy -c} and the resource's {@code
 * check_cmd}.
 *
 * <p>The renderer is a STAND-IN, not confd: confd is not packaged for Debian and none of it belongs
 * in this repository, so {@code src/test/resources/confd-standin/render.go} renders the template
 * with Go's text/template (confd's engine, from Debian's golang-go) and the four confd functions
 * the template calls, implemented as confd implements them. The same template was also rendered by
 * hand with real confd (etcdv3 backend, {@code -prefix} as in the toml's comment) against a
 * sandbox's records, with the same output; see docs/confd.md.
 */
@Timeout(180)
class ConfdTemplateIT {
  private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(30);
  private static final String EMPTY_MARKER = "# redis-haproxy: no instance records";

  @Test
  void rendersEveryInstanceIntoBothListenersAndAFailoverRendersTheSameFile() throws IOException {
    try (Sandbox sandbox = Sandbox.start("ConfdTemplateIT");
        Agents3 agents = new Agents3(sandbox)) {
      String master = sandbox.currentMasterAddress();
      awaitSettled(sandbox, master);
      Map<String, String> env = env();
      String config = render(sandbox, env, sandbox.etcd().getPrefix(Records.GROUP), "before");

      assertThat(config).contains("    bind " + env.get("ROUTE_WRITE_BIND") + "\n");
      assertThat(config).contains("    bind " + env.get("ROUTE_READ_BIND") + "\n");
      assertThat(config).doesNotContain(EMPTY_MARKER);
      String write = section(config, "listen redis-write");
      String read = section(config, "listen redis-read");
      assertThat(write).contains("option httpchk GET /master");
      assertThat(read).contains("option httpchk GET /read-only");
      assertThat(config).contains("on-marked-down shutdown-sessions").contains("hard-stop-after");
      Map<String, JsonNode> records = Records.all(sandbox.etcd());
      assertThat(records).hasSize(3);
      for (JsonNode r : records.values()) {
        String id = r.path("id").asText();
        String[] http = r.path("http").asText(r.path("host").asText() + ":8008").split(":");
        String server =
            "server " + id + " " + r.path("host").asText() + ":" + r.path("port").asText();
        String check = " check addr " + http[0] + " port " + http[1];
        assertThat(write).contains("    " + server + check + "\n");
        String weight = r.path("dc").asText().equals("dc2") ? "10" : "1";
        assertThat(read).contains("    " + server + " weight " + weight + check + "\n");
      }
      assertThat(serverLines(write)).hasSize(3);
      assertThat(serverLines(read)).hasSize(3);
      Path file = write(sandbox, "before.cfg", config);
      assertThat(haproxyCheck(file).exitCode()).as("haproxy -c").isZero();
      assertThat(checkCmd(file).exitCode()).as("the toml's check_cmd").isZero();

      // The template renders identity, never a role: a failover changes nothing, so no reload.
      String next = sandbox.failover();
      assertThat(next).isNotEqualTo(master);
      awaitSettled(sandbox, next);
      assertThat(render(sandbox, env, sandbox.etcd().getPrefix(Records.GROUP), "after"))
          .isEqualTo(config);
    }
  }

  @Test
  void anEmptyRegistryRendersAFileTheCheckRefuses() throws IOException {
    try (Sandbox sandbox = Sandbox.etcdOnly("ConfdTemplateIT-empty")) {
      String config = render(sandbox, env(), sandbox.etcd().getPrefix(Records.GROUP), "empty");
      assertThat(config).contains(EMPTY_MARKER);
      assertThat(serverLines(config)).isEmpty();
      Path file = write(sandbox, "empty.cfg", config);
      // HAProxy alone would take it (listeners without servers); the check_cmd does not, so
      // confd keeps the last good file instead of emptying both listeners.
      assertThat(haproxyCheck(file).exitCode()).as("haproxy -c").isZero();
      assertThat(checkCmd(file).exitCode()).as("the toml's check_cmd").isNotZero();
    }
  }

  /** The three agents of a sandbox, stopped with it. */
  private static final class Agents3 implements AutoCloseable {
    private final List<AgentProcess> agents = new ArrayList<>();

    Agents3(Sandbox sandbox) {
      for (int i = 0; i < sandbox.redis().size(); i++) {
        agents.add(Agents.start(sandbox, i));
      }
    }

    @Override
    public void close() {
      agents.forEach(AgentProcess::close);
    }
  }

  private static void awaitSettled(Sandbox sandbox, String master) {
    await("etcd settled on " + master)
        .atMost(SETTLE_TIMEOUT)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                FailoverBench.settled(
                    FailoverBenchRevisions.State.of(0, 0, sandbox.etcd().getPrefix(Records.GROUP)),
                    master));
  }

  private static Map<String, String> env() {
    return Map.of(
        "REGISTRAR_PREFIX",
        Records.PREFIX,
        "REGISTRAR_MASTER_NAME",
        Sandbox.MASTER_NAME,
        "REGISTRAR_DC",
        "dc2",
        "ROUTE_WRITE_BIND",
        "127.0.0.1:" + Ports.free(),
        "ROUTE_READ_BIND",
        "127.0.0.1:" + Ports.free());
  }

  private static String render(
      Sandbox sandbox, Map<String, String> env, Map<String, String> keys, String name) {
    return ConfdStandIn.render(sandbox.dir().resolve("confd-" + name), env, keys);
  }

  private static AgentProcess.Result haproxyCheck(Path file) {
    return Exec.run(
        Duration.ofSeconds(30), Map.of(), List.of("haproxy", "-c", "-q", "-f", file.toString()));
  }

  /** The toml's {@code check_cmd} with {@code {{.src}}} the staged file, run as confd runs it. */
  private static AgentProcess.Result checkCmd(Path file) throws IOException {
    String toml = Files.readString(ConfdStandIn.repoFile(ConfdStandIn.RESOURCE));
    Matcher m = Pattern.compile("(?m)^check_cmd = \"(.*)\"$").matcher(toml);
    assertThat(m.find()).as("check_cmd in the toml").isTrue();
    String command = m.group(1).replace("\\\"", "\"").replace("{{.src}}", file.toString());
    return Exec.run(Duration.ofSeconds(30), Map.of(), List.of("/bin/sh", "-c", command));
  }

  private static Path write(Sandbox sandbox, String name, String config) throws IOException {
    return Files.writeString(sandbox.dir().resolve(name), config);
  }

  /** From the line {@code header} up to the next blank line. */
  private static String section(String config, String header) {
    int start = config.indexOf(header + "\n");
    assertThat(start).as(header).isNotNegative();
    int end = config.indexOf("\n\n", start);
    return config.substring(start, end < 0 ? config.length() : end + 1);
  }

  private static List<String> serverLines(String text) {
    return text.lines().filter(l -> l.strip().startsWith("server ")).toList();
  }
}
