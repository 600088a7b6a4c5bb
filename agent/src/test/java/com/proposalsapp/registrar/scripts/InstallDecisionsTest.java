package com.proposalsapp.registrar.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code scripts/lib/common.sh} decides to install, run by bash against a PATH this test
 * builds: a fresh machine is one where only what the test puts on the PATH exists.
 */
@Timeout(30)
class InstallDecisionsTest {

  static final Path ROOT = repoRoot();

  @TempDir Path bin;

  @Test
  void aStrayDockerClientWithoutADaemonStillGetsDockerIoInstalled() throws Exception {
    command("docker", "echo 'Docker version 28.2.2, build e6534b4'");

    assertThat(missing("TEST_NEEDS")).contains("docker.io");
  }

  @Test
  void onAnEmptyPathEveryPackageIsInstalled() throws Exception {
    assertThat(missing("TEST_NEEDS"))
        .containsExactlyElementsOf(bash("printf '%s\\n' \"${TEST_NEEDS[@]#*:}\" | sort -u"))
        .contains("redis-server", "etcd-server", "openjdk-17-jdk-headless", "docker.io");
  }

  @Test
  void whatTheScriptsRunBeingThereInstallsNothing() throws Exception {
    String plainChecks =
        "for c in \"${TEST_NEEDS[@]%%:*}\"; do declare -F \"have_$c\" >/dev/null || echo \"$c\"; done";
    for (String check : bash(plainChecks)) {
      command(check, "exit 0");
    }
    command("javac", "echo 'javac 17.0.15' >&2");

    assertThat(missing("TEST_NEEDS")).isEmpty();
  }

  @Test
  void aJavaWithoutJavacOrAnOlderJdkGetsJdk17() throws Exception {
    command("java", "echo 'openjdk version \"17.0.15\"' >&2");
    assertThat(missing("SANDBOX_NEEDS")).contains("openjdk-17-jdk-headless");

    command("javac", "echo 'javac 11.0.2' >&2");
    assertThat(missing("SANDBOX_NEEDS")).contains("openjdk-17-jdk-headless");

    command("javac", "echo 'javac 21.0.1' >&2");
    assertThat(missing("SANDBOX_NEEDS")).doesNotContain("openjdk-17-jdk-headless");
  }

  @Test
  void theDemoNeedsNoDocker() throws Exception {
    assertThat(missing("SANDBOX_NEEDS")).doesNotContain("docker.io", "debootstrap");
  }

  @Test
  void theReadmeNamesExactlyThePackagesTheScriptsInstall() throws Exception {
    String readme = Files.readString(ROOT.resolve("README.md"));
    Matcher m =
        Pattern.compile("they install what is missing\\s*\\(([^)]*)\\)", Pattern.DOTALL)
            .matcher(readme);
    assertThat(m.find()).as("README.md names the packages the scripts install").isTrue();
    Set<String> named = new LinkedHashSet<>();
    Matcher pkg = Pattern.compile("`([^`]+)`").matcher(m.group(1));
    while (pkg.find()) {
      named.addAll(Arrays.asList(pkg.group(1).trim().split("\\s+")));
    }

    assertThat(named).containsExactlyInAnyOrderElementsOf(missing("TEST_NEEDS"));
  }

  /** Puts an executable {@code name} on the test's PATH that runs {@code body}. */
  private void command(String name, String body) throws IOException {
    Path file = bin.resolve(name);
    Files.writeString(file, "#!/bin/bash\n" + body + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /**
   * The packages {@code missing_packages "${LIST[@]}"} prints with only the test's PATH, sorted.
   */
  private List<String> missing(String list) throws Exception {
    return bash("PATH=\"$2\" missing_packages \"${" + list + "[@]}\" | sort");
  }

  /** The lines {@code script} prints after sourcing common.sh; $2 is the test's PATH. */
  private List<String> bash(String script) throws Exception {
    Process p =
        new ProcessBuilder(
                "/bin/bash",
                "-c",
                "source \"$1\"; " + script,
                "bash",
                ROOT.resolve("scripts/lib/common.sh").toString(),
                bin.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out.lines().filter(l -> !l.isBlank()).toList();
  }

  private static Path repoRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("scripts/lib/common.sh"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("not inside the repository: no scripts/lib/common.sh");
    }
    return dir;
  }
}
