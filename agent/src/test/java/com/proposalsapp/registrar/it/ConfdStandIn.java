package com.proposalsapp.registrar.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders the repository's confd template ({@code nomad/confd/}) the way confd would, with a
 * STAND-IN renderer, not confd: {@code src/test/resources/confd-standin/render.go}, Go's
 * text/template (confd's engine, from Debian's golang-go) with the four confd functions the
 * template calls. confd itself is not packaged for Debian and none of it belongs in this
 * repository; docs/confd.md says how the template was checked against real confd by hand.
 */
final class ConfdStandIn {
  static final String TEMPLATE = "nomad/confd/templates/redis-haproxy.cfg.tmpl";
  static final String RESOURCE = "nomad/confd/conf.d/redis-haproxy.toml";

  private static final Duration RENDER_TIMEOUT = Duration.ofSeconds(120);
  private static final ObjectMapper JSON = new ObjectMapper();

  private ConfdStandIn() {}

  /**
   * Renders the template from {@code keys} (full etcd keys to values) under confd's {@code -prefix}
   * of {@code $REGISTRAR_PREFIX/$REGISTRAR_MASTER_NAME}, with {@code env} as confd's environment;
   * {@code workDir} holds the keys file and Go's caches.
   */
  static String render(Path workDir, Map<String, String> env, Map<String, String> keys) {
    try {
      Files.createDirectories(workDir);
      Path keysFile = Files.createTempFile(workDir, "keys-", ".json");
      JSON.writeValue(keysFile.toFile(), keys);
      Path go = workDir.resolve("go");
      Map<String, String> goEnv = new HashMap<>(env);
      goEnv.putAll(
          Map.of(
              "GOCACHE", go.resolve("cache").toString(),
              "GOPATH", go.resolve("path").toString(),
              "GOPROXY", "off",
              "GOFLAGS", "-mod=mod",
              "GOTOOLCHAIN", "local"));
      AgentProcess.Result r =
          Exec.run(
              RENDER_TIMEOUT,
              goEnv,
              List.of(
                  "go",
                  "run",
                  renderer().toString(),
                  repoFile(TEMPLATE).toString(),
                  keysFile.toString(),
                  env.get("REGISTRAR_PREFIX") + "/" + env.get("REGISTRAR_MASTER_NAME")));
      if (r.exitCode() != 0) {
        throw new IllegalStateException("the stand-in renderer failed: " + r.stderr());
      }
      return r.stdout();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** confd's environment for the sandbox's prefix and master name, on node {@code dc}. */
  static Map<String, String> env(String dc, String writeBind, String readBind) {
    return Map.of(
        "REGISTRAR_PREFIX", Records.PREFIX,
        "REGISTRAR_MASTER_NAME", Sandbox.MASTER_NAME,
        "REGISTRAR_DC", dc,
        "ROUTE_WRITE_BIND", writeBind,
        "ROUTE_READ_BIND", readBind);
  }

  private static Path renderer() {
    try {
      return Path.of(ConfdStandIn.class.getResource("/confd-standin/render.go").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A file of the repository, found from the directory the build or the benchmark runs in. */
  static Path repoFile(String relative) {
    String root = System.getProperty("registrar.repo");
    if (root != null && Files.exists(Path.of(root, relative))) {
      return Path.of(root, relative);
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.exists(dir.resolve(relative))) {
        return dir.resolve(relative);
      }
    }
    throw new IllegalStateException(relative + " not found above " + Path.of("").toAbsolutePath());
  }
}
