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

/**
 * The images run the agent's shaded jar with the JVM flags the launcher and the benchmarks use,
 * then the ones naming the AppCDS archive trained in the image.
 */
@Timeout(30)
class SidecarFlagsTest {

  @Test
  void everyJibImageHasTheSidecarJavaOpts() throws Exception {
    Path root = InstallDecisionsTest.ROOT;
    List<String> launcher = words(shellVariable(root, "SIDECAR_JAVA_OPTS"));
    List<String> cds = words(shellVariable(root, "CDS_IMAGE_OPTS"));
    List<String> expected = new ArrayList<>(List.of("java"));
    expected.addAll(launcher);
    expected.addAll(cds);
    expected.addAll(List.of("-jar", "/app/redis-registrar.jar"));
    String pom = Files.readString(root.resolve("agent/pom.xml"));

    List<List<String>> images = new ArrayList<>();
    Matcher block = Pattern.compile("<entrypoint>(.*?)</entrypoint>", Pattern.DOTALL).matcher(pom);
    while (block.find()) {
      List<String> flags = new ArrayList<>();
      Matcher flag = Pattern.compile("<arg>([^<]+)</arg>").matcher(block.group(1));
      while (flag.find()) {
        flags.add(flag.group(1).trim());
      }
      images.add(flags);
    }

    assertThat(launcher).contains("-Xmx32m");
    assertThat(cds).contains("-XX:SharedArchiveFile=/app/cds.jsa");
    assertThat(images).as("the entrypoint and the sidecar image").hasSize(2);
    assertThat(images).allSatisfy(flags -> assertThat(flags).isEqualTo(expected));
  }

  private static List<String> words(String s) {
    return Arrays.asList(s.trim().split("\\s+"));
  }

  private static String shellVariable(Path root, String name) throws Exception {
    Process p =
        new ProcessBuilder(
                "/bin/bash",
                "-c",
                "source \"$1\"; printf '%s' \"${!2}\"",
                "bash",
                root.resolve("scripts/lib/common.sh").toString(),
                name)
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }
}
