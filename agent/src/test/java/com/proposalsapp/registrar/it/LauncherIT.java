package com.proposalsapp.registrar.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher, {@code scripts/redis-registrar}, and its AppCDS archive, with the real JVM: a first
 * start trains the archive, the next installs it (and removes the stale archives of this jar),
 * {@code --warm} makes one at once, and an archive that does not match this jar never fails a
 * start, nor prints a word.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LauncherIT {

  private static final Path LAUNCHER = Path.of("..", "scripts", "redis-registrar").toAbsolutePath();
  private static final Path COMMON = Path.of("..", "scripts", "lib", "common.sh").toAbsolutePath();
  private static final Path JAR = Path.of("target", "redis-registrar.jar").toAbsolutePath();
  private static final Duration LIMIT = Duration.ofSeconds(60);

  @TempDir Path cds;

  @Test
  void aFirstStartTrainsTheArchiveOnExitAndTheNextStartInstallsIt() throws IOException {
    AgentProcess.Result first = launch("--version");
    assertThat(first.exitCode()).as(first.stderr()).isZero();
    assertThat(first.stdout()).startsWith("redis-registrar ");
    assertThat(files(".pending")).as("the first start's training").hasSize(1);
    assertThat(files(".jsa")).isEmpty();
    // Left by others: an older build of this jar, the naming before the jar's path was in it,
    // and another jar's archive, which must stay.
    String pending = files(".pending").get(0).getFileName().toString();
    Path olderBuild = cds.resolve(pending.substring(0, pending.lastIndexOf('-')) + "-1.jsa");
    Path oldNaming = cds.resolve("cds-1234-5678.jsa");
    Path otherJar = cds.resolve("cds-_elsewhere_other.jar-1.jsa");
    for (Path p : List.of(olderBuild, oldNaming, otherJar)) {
      Files.writeString(p, "not an archive");
    }

    AgentProcess.Result second = launch("--version");
    assertThat(second.exitCode()).as(second.stderr()).isZero();
    assertThat(second.stdout()).isEqualTo(first.stdout());
    List<Path> archives = files(".jsa");
    assertThat(archives).as("installed once -Xshare:on mapped it; the stale ones gone").hasSize(2);
    assertThat(archives).contains(otherJar).doesNotContain(olderBuild, oldNaming);
    assertThat(files(".pending")).isEmpty();
  }

  @Test
  void warmMakesTheArchiveAndOneThatDoesNotMatchNeverFailsAStart() throws IOException {
    AgentProcess.Result warm = launch("--warm", "--version");
    assertThat(warm.exitCode()).as(warm.stderr()).isZero();
    List<Path> archives = files(".jsa");
    assertThat(archives).hasSize(1);
    Path archive = archives.get(0);
    assertThat(warm.stdout()).contains("CDS archive: " + archive);

    // In its place, an archive of another jar (a copy elsewhere), with the same flags: the JVM
    // cannot use it for this class path and, unless told to keep quiet, says so on stderr.
    Path copy = Files.copy(JAR, cds.resolve("other.jar"));
    Files.delete(archive);
    AgentProcess.Result other =
        Exec.run(
            LIMIT,
            Map.of(),
            List.of(
                "bash",
                "-c",
                "source \"$1\"; exec java $SIDECAR_JAVA_OPTS -XX:ArchiveClassesAtExit=\"$2\" -jar"
                    + " \"$3\" --version",
                "bash",
                COMMON.toString(),
                archive.toString(),
                copy.toString()));
    assertThat(other.exitCode()).as(other.stderr()).isZero();
    assertThat(archive).isNotEmptyFile();

    AgentProcess.Result start = launch("--version");
    assertThat(start.exitCode()).as(start.stderr()).isZero();
    assertThat(start.stdout()).startsWith("redis-registrar ");
    assertThat(start.stderr()).as("the JVM runs without the archive, without a word").isEmpty();
  }

  private AgentProcess.Result launch(String... args) {
    List<String> command = Stream.concat(Stream.of(LAUNCHER.toString()), Stream.of(args)).toList();
    return Exec.run(
        LIMIT, Map.of("REGISTRAR_CDS_DIR", cds.toString(), "REGISTRAR_WARM_SECONDS", "2"), command);
  }

  private List<Path> files(String suffix) throws IOException {
    try (Stream<Path> all = Files.list(cds)) {
      return all.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
    }
  }
}
