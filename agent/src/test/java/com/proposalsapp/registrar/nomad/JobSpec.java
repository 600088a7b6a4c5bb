package com.proposalsapp.registrar.nomad;

import com.bertramlabs.plugins.hcl4j.HCLParser;
import com.proposalsapp.registrar.config.Durations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Nomad job spec in {@code nomad/}, parsed by a real HCL2 parser (hcl4j), with the few accessors
 * the tests need. hcl4j's own renderings, which the accessors undo or the tests expect: numbers are
 * doubles, a repeated block is a list of maps (a single one a map), {@code "${node.datacenter}"}
 * reads as {@code "node.datacenter"}, and a {@code <<-} heredoc keeps its indentation (HCL2 strips
 * it: {@link #dedent}).
 */
record JobSpec(Path file, Map<String, Object> root) {

  /** The repository's root: the first directory upwards from here holding {@code nomad/}. */
  static Path repoRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("nomad"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("no nomad/ above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }

  static JobSpec parse(String fileName) {
    Path file = repoRoot().resolve("nomad").resolve(fileName);
    try {
      return new JobSpec(file, new HCLParser().parse(file.toFile(), "UTF-8"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new IllegalStateException(file + " does not parse: " + e, e);
    }
  }

  /** The only job in the file. */
  Block job() {
    Map<String, Object> jobs = map(root.get("job"));
    if (jobs.size() != 1) {
      throw new IllegalStateException(file + " declares " + jobs.keySet() + ", not one job");
    }
    Map.Entry<String, Object> job = jobs.entrySet().iterator().next();
    return new Block(job.getKey(), map(job.getValue()));
  }

  Map<String, Object> variable(String name) {
    return map(map(root.get("variable")).get(name));
  }

  List<Block> groups() {
    return job().children("group");
  }

  /** A block with a label (a group, a task) or without one (its name is then its type). */
  record Block(String name, Map<String, Object> body) {

    List<Block> children(String type) {
      Object value = body.get(type);
      List<Block> blocks = new ArrayList<>();
      if (value == null) {
        return blocks;
      }
      for (Map<String, Object> labelled : maps(value)) {
        labelled.forEach((label, child) -> blocks.add(new Block(label, map(child))));
      }
      return blocks;
    }

    /** Blocks without a label ({@code template}, {@code service}, {@code constraint}). */
    List<Map<String, Object>> blocks(String type) {
      Object value = body.get(type);
      return value == null ? List.of() : maps(value);
    }

    Block task(String name) {
      return children("task").stream()
          .filter(t -> t.name().equals(name))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no task " + name + " in " + this.name));
    }

    Map<String, Object> config() {
      return map(body.getOrDefault("config", Map.of()));
    }

    @SuppressWarnings("unchecked")
    List<String> args() {
      Object args = config().get("args");
      return args == null ? List.of() : List.copyOf((List<String>) args);
    }

    Map<String, Object> env() {
      return map(body.getOrDefault("env", Map.of()));
    }

    String string(String key) {
      Object value = body.get(key);
      return value == null ? null : value.toString();
    }

    int integer(String key) {
      return ((Number) body.get(key)).intValue();
    }

    boolean flag(String key) {
      return Boolean.TRUE.equals(body.get(key));
    }

    Optional<Duration> duration(String key) {
      return Optional.ofNullable(string(key)).map(Durations::parse);
    }

    /** The lifecycle hook, or empty for a main task. */
    Optional<String> hook() {
      return Optional.ofNullable(body.get("lifecycle")).map(l -> (String) map(l).get("hook"));
    }

    boolean sidecar() {
      return body.get("lifecycle") != null
          && Boolean.TRUE.equals(map(body.get("lifecycle")).get("sidecar"));
    }

    /** The static ports of the group's network, by label. */
    Map<String, Integer> staticPorts() {
      Map<String, Object> network = map(body.get("network"));
      Map<String, Integer> ports = new LinkedHashMap<>();
      map(network.get("port"))
          .forEach(
              (label, port) -> ports.put(label, ((Number) map(port).get("static")).intValue()));
      return ports;
    }

    /** The task's templates: destination to the text Nomad renders (indentation stripped). */
    Map<String, String> templates() {
      Map<String, String> templates = new LinkedHashMap<>();
      for (Map<String, Object> t : blocks("template")) {
        templates.put((String) t.get("destination"), dedent((String) t.get("data")));
      }
      return templates;
    }

    Map<String, Object> template(String destination) {
      return blocks("template").stream()
          .filter(t -> destination.equals(t.get("destination")))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no template " + destination + " in " + name));
    }
  }

  /** HCL2's {@code <<-} heredoc: the smallest indentation of the non-blank lines removed. */
  static String dedent(String text) {
    List<String> lines = text.lines().toList();
    int indent =
        lines.stream()
            .filter(l -> !l.isBlank())
            .mapToInt(l -> l.length() - l.stripLeading().length())
            .min()
            .orElse(0);
    StringBuilder out = new StringBuilder();
    for (String line : lines) {
      out.append(line.isBlank() ? "" : line.substring(indent)).append('\n');
    }
    return out.toString();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object value) {
    if (value instanceof List<?> list && list.size() == 1) {
      value = list.get(0);
    }
    if (!(value instanceof Map<?, ?>)) {
      throw new IllegalStateException("expected one block, found " + value);
    }
    return (Map<String, Object>) value;
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> maps(Object value) {
    if (value instanceof List<?> list) {
      return (List<Map<String, Object>>) list;
    }
    return List.of((Map<String, Object>) value);
  }
}
