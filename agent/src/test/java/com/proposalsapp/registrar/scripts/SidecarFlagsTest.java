package com.proposalsapp.registrar.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The images run the agent's shaded jar with the JVM flags the launcher and the benchmarks use,
 * then the ones naming the class archive trained in the image: the AppCDS archive of the Java 17
 * images by default, the AOT cache of the Java 25 ones with {@code -Dimage.java=25} (the pom's
 * {@code image.archive*} properties, and the java25 profile's).
 */
@Timeout(30)
class SidecarFlagsTest {

  @Test
  void everyJibImageHasTheSidecarJavaOpts() throws Exception {
    Path root = InstallDecisionsTest.ROOT;
    List<String> launcher = words(shellVariable(root, "SIDECAR_JAVA_OPTS"));
    String pom = Files.readString(root.resolve("agent/pom.xml"));
    Map<String, String> java17 = properties(pom.substring(0, pom.indexOf("<dependencies>")));
    Matcher profile =
        Pattern.compile("<id>java25</id>(.*?)</profile>", Pattern.DOTALL).matcher(pom);
    assertThat(profile.find()).as("the java25 profile").isTrue();
    Map<String, String> java25 = new HashMap<>(java17);
    java25.putAll(properties(profile.group(1)));

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
    assertThat(images).as("the entrypoint and the sidecar image").hasSize(2);
    for (var java : Map.of("CDS_IMAGE_OPTS", java17, "AOT_IMAGE_OPTS", java25).entrySet()) {
      List<String> expected = new ArrayList<>(List.of("java"));
      expected.addAll(launcher);
      expected.addAll(words(shellVariable(root, java.getKey())));
      expected.addAll(List.of("-jar", "/app/redis-registrar.jar"));
      assertThat(images)
          .as(java.getKey())
          .allSatisfy(flags -> assertThat(resolve(flags, java.getValue())).isEqualTo(expected));
    }
    assertThat(java17.get("image.archive")).isEqualTo("-XX:SharedArchiveFile=/app/cds.jsa");
    assertThat(java25.get("image.archive")).isEqualTo("-XX:AOTCache=/app/app.aot");
    assertThat(java25.get("image.suite")).isEqualTo("trixie");
  }

  /** The {@code <properties>} of a piece of the pom. */
  private static Map<String, String> properties(String xml) {
    Matcher block = Pattern.compile("<properties>(.*?)</properties>", Pattern.DOTALL).matcher(xml);
    assertThat(block.find()).as("a <properties> block").isTrue();
    Map<String, String> p = new HashMap<>();
    Matcher e = Pattern.compile("<([\\w.]+)>([^<]*)</\\1>").matcher(block.group(1));
    while (e.find()) {
      p.put(e.group(1), e.group(2).trim());
    }
    return p;
  }

  private static List<String> resolve(List<String> flags, Map<String, String> properties) {
    return flags.stream()
        .map(
            f ->
                f.startsWith("${") && f.endsWith("}")
                    ? properties.getOrDefault(f.substring(2, f.length() - 1), f)
                    : f)
        .toList();
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
