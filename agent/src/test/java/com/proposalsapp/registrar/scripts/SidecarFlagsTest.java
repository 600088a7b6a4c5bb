package com.proposalsapp.registrar.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The images run the agent with the JVM flags the launcher and the benchmarks use. */
@Timeout(30)
class SidecarFlagsTest {

  @Test
  void everyJibImageHasTheSidecarJavaOpts() throws Exception {
    Path root = InstallDecisionsTest.ROOT;
    List<String> launcher = Arrays.asList(sidecarJavaOpts(root).trim().split("\\s+"));
    String pom = Files.readString(root.resolve("agent/pom.xml"));

    List<List<String>> images = new ArrayList<>();
    Matcher block = Pattern.compile("<jvmFlags>(.*?)</jvmFlags>", Pattern.DOTALL).matcher(pom);
    while (block.find()) {
      List<String> flags = new ArrayList<>();
      Matcher flag = Pattern.compile("<jvmFlag>([^<]+)</jvmFlag>").matcher(block.group(1));
      while (flag.find()) {
        flags.add(flag.group(1).trim());
      }
      images.add(flags);
    }

    assertThat(launcher).contains("-Xmx32m");
    assertThat(images).as("the entrypoint and the sidecar image").hasSize(2);
    assertThat(images).allSatisfy(flags -> assertThat(flags).isEqualTo(launcher));
  }

  private static String sidecarJavaOpts(Path root) throws Exception {
    Process p =
        new ProcessBuilder(
                "/bin/bash",
                "-c",
                "source \"$1\"; printf '%s' \"$SIDECAR_JAVA_OPTS\"",
                "bash",
                root.resolve("scripts/lib/common.sh").toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }
}
