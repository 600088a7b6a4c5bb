package com.proposalsapp.registrar.nomad;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/deploy.sh} and {@code scripts/setup-consul-kv.sh} run by bash against fake {@code
 * nomad} and {@code consul} commands first on the PATH, which record their arguments; the fake
 * consul keeps its KV store in a directory and honours {@code -cas -modify-index=0}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DeployScriptTest {

  private static final String NOMAD_TOKEN = "nomad-token-secret";
  private static final String CONSUL_TOKEN = "consul-token-secret";

  private static final String FAKE_NOMAD =
      """
      #!/usr/bin/env bash
      echo "nomad $*" >> "$FAKE_LOG"
      # plan: 1 means "allocations would change", which is not an error.
      [[ $1 == job && $2 == plan ]] && exit 1
      exit 0
      """;

  private static final String FAKE_CONSUL =
      """
      #!/usr/bin/env bash
      echo "consul $*" >> "$FAKE_LOG"
      [[ $1 == kv && $2 == put ]] || exit 1
      shift 2
      cas=0 index=""
      while [[ $1 == -* && $1 != - ]]; do
        case $1 in -cas) cas=1 ;; -modify-index=*) index=${1#*=} ;; esac
        shift
      done
      key=$1 value=$2
      [[ $value == - ]] && value=$(cat)
      file="$FAKE_KV/${key//\\//%}"
      if [[ $cas == 1 && $index == 0 && -e $file ]]; then
        echo "Error! Did not write to $key: CAS performed with index=0 and key already exists." >&2
        exit 1
      fi
      printf '%s' "$value" > "$file"
      echo "Success! Data written to: $key"
      """;

  @TempDir Path dir;
  private Path bin;
  private Path kv;
  private Path log;

  private record Result(int exit, String stdout, String stderr) {}

  @BeforeEach
  void fakes() throws IOException {
    bin = Files.createDirectories(dir.resolve("bin"));
    kv = Files.createDirectories(dir.resolve("kv"));
    log = dir.resolve("calls.log");
    Files.writeString(log, "");
    for (Map.Entry<String, String> fake :
        Map.of("nomad", FAKE_NOMAD, "consul", FAKE_CONSUL).entrySet()) {
      Path file = bin.resolve(fake.getKey());
      Files.writeString(file, fake.getValue());
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  private Map<String, String> fullEnvironment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("NOMAD_ADDR", "http://10.0.0.20:4646");
    env.put("NOMAD_TOKEN", NOMAD_TOKEN);
    env.put("CONSUL_HTTP_TOKEN", CONSUL_TOKEN);
    env.put("REDIS_INITIAL_MASTER", "10.0.1.5");
    env.put("ETCD_ENDPOINTS", "http://10.0.0.10:2379");
    return env;
  }

  private Result run(String script, Map<String, String> env, String... args) throws Exception {
    Path root = JobSpec.repoRoot();
    List<String> command = new ArrayList<>(List.of("bash", root.resolve(script).toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("NOMAD_") || k.startsWith("CONSUL_"));
    builder.environment().putAll(env);
    builder.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    builder.environment().put("FAKE_LOG", log.toString());
    builder.environment().put("FAKE_KV", kv.toString());
    Path out = dir.resolve("stdout");
    Path err = dir.resolve("stderr");
    Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(process.waitFor(50, TimeUnit.SECONDS)).as(script + " finished").isTrue();
    return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
  }

  private List<String> calls() throws IOException {
    return Files.readAllLines(log);
  }

  private String kvValue(String key) throws IOException {
    return Files.readString(kv.resolve(key.replace("/", "%")), StandardCharsets.UTF_8);
  }

  private static String path(String file) {
    return JobSpec.repoRoot().resolve("nomad").resolve(file).toString();
  }

  private static List<String> jobCommands(String file, String vars) {
    return Stream.of("validate", "plan", "run")
        .map(verb -> "nomad job " + verb + " " + vars + " " + path(file))
        .toList();
  }

  private static List<String> expectedNomadCalls(String redisFile) {
    List<String> calls = new ArrayList<>();
    calls.addAll(
        jobCommands(
            redisFile, "-var initial_master=10.0.1.5 -var etcd_endpoints=http://10.0.0.10:2379"));
    calls.addAll(jobCommands("haproxy.nomad.hcl", "-var etcd_endpoints=http://10.0.0.10:2379"));
    return calls;
  }

  @Test
  void dryRunRunsNothingAndPrintsEveryCommandWithoutTokensOrPasswords() throws Exception {
    Result result = run("scripts/deploy.sh", fullEnvironment(), "--dry-run");

    assertThat(result.exit()).as(result.stderr()).isZero();
    assertThat(calls()).as("nothing was run").isEmpty();
    List<String> expected = new ArrayList<>();
    expected.add("consul kv put -cas -modify-index=0 redis/password - < (a generated password)");
    expected.add("consul kv put -cas -modify-index=0 redis/maxmemory 2gb");
    expected.add("consul kv put -cas -modify-index=0 redis/maxmemory_policy allkeys-lru");
    expected.addAll(expectedNomadCalls("redis.nomad.hcl"));
    assertThat(result.stdout().lines()).containsExactlyElementsOf(expected);
    assertThat(result.stdout() + result.stderr()).doesNotContain(NOMAD_TOKEN, CONSUL_TOKEN);
  }

  @Test
  void aRunWritesOnlyAbsentKeysNeverTheSetPasswordThenValidatesPlansAndRunsEachJob()
      throws Exception {
    Files.writeString(kv.resolve("redis%password"), "the-operators-password");
    Files.writeString(kv.resolve("redis%maxmemory"), "6gb");

    Result result = run("scripts/deploy.sh", fullEnvironment());

    assertThat(result.exit()).as(result.stderr()).isZero();
    assertThat(kvValue("redis/password")).isEqualTo("the-operators-password");
    assertThat(kvValue("redis/maxmemory")).isEqualTo("6gb");
    assertThat(kvValue("redis/maxmemory_policy")).isEqualTo("allkeys-lru");
    List<String> expected = new ArrayList<>();
    expected.add("consul kv put -cas -modify-index=0 redis/password -");
    expected.add("consul kv put -cas -modify-index=0 redis/maxmemory 2gb");
    expected.add("consul kv put -cas -modify-index=0 redis/maxmemory_policy allkeys-lru");
    expected.addAll(expectedNomadCalls("redis.nomad.hcl"));
    assertThat(calls()).containsExactlyElementsOf(expected);
    assertThat(result.stdout())
        .contains("redis/password is already set; left as it is")
        .contains("redis/maxmemory_policy set to allkeys-lru");
  }

  @Test
  void anAbsentPasswordIsGeneratedAndPassedThroughStdinOnly() throws Exception {
    Result result = run("scripts/setup-consul-kv.sh", Map.of("CONSUL_HTTP_TOKEN", CONSUL_TOKEN));

    assertThat(result.exit()).as(result.stderr()).isZero();
    String password = kvValue("redis/password");
    assertThat(password).matches("[A-Za-z0-9]{32}");
    assertThat(String.join("\n", calls()) + result.stdout() + result.stderr())
        .doesNotContain(password);

    Result again = run("scripts/setup-consul-kv.sh", Map.of("CONSUL_HTTP_TOKEN", CONSUL_TOKEN));
    assertThat(again.exit()).isZero();
    assertThat(kvValue("redis/password")).as("a second run keeps it").isEqualTo(password);
  }

  @Test
  void theEntrypointFormDeploysTheEntrypointJobFile() throws Exception {
    Result result = run("scripts/deploy.sh", fullEnvironment(), "--dry-run", "--entrypoint");

    assertThat(result.exit()).as(result.stderr()).isZero();
    assertThat(result.stdout().lines().skip(3))
        .containsExactlyElementsOf(expectedNomadCalls("redis-entrypoint.nomad.hcl"));
  }

  @Test
  void aMissingVariableIsNamedAndNothingRuns() throws Exception {
    Map<String, String> env = fullEnvironment();
    env.remove("NOMAD_TOKEN");
    env.remove("CONSUL_HTTP_TOKEN");

    Result result = run("scripts/deploy.sh", env);

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.stderr().strip())
        .isEqualTo("deploy: NOMAD_TOKEN CONSUL_HTTP_TOKEN not set (see docs/deploy.md)");
    assertThat(calls()).isEmpty();
  }

  @Test
  void theScriptsKvTableIsTheReadmes() throws Exception {
    Result result = run("scripts/setup-consul-kv.sh", Map.of(), "--list");

    assertThat(result.exit()).isZero();
    Map<String, String> listed = new LinkedHashMap<>();
    result.stdout().lines().map(l -> l.split("\t")).forEach(f -> listed.put(f[0], f[1]));
    assertThat(listed).isEqualTo(ConsulKv.readmeTable());
  }
}
