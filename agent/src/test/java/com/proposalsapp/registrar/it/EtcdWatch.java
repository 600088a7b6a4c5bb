package com.proposalsapp.registrar.it;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * Every revision of the keys under a prefix, replayed from a snapshot with {@code etcdctl watch}:
 * unlike polling, it cannot miss a state that etcd committed, however briefly it lasted.
 */
final class EtcdWatch implements AutoCloseable {

  /** One key's value and lease. */
  record Entry(String value, long lease) {}

  /**
   * The keys under the prefix right after {@code revision}, and when this JVM saw that revision
   * ({@link System#nanoTime()}).
   */
  record State(long revision, long seenNanos, Map<String, Entry> entries) {
    /** The value of {@code key}, if present at this revision. */
    Optional<String> value(String key) {
      return Optional.ofNullable(entries.get(key)).map(Entry::value);
    }
  }

  private final Process process;
  private final List<State> states = new CopyOnWriteArrayList<>();
  private final Thread reader;

  private EtcdWatch(Process process, State snapshot, Path log) {
    this.process = process;
    states.add(snapshot);
    reader = new Thread(() -> read(log), "etcd-watch");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Takes a snapshot of {@code prefix} and watches every revision after it; the raw watch responses
   * go to {@code log}.
   */
  static EtcdWatch start(EtcdServer etcd, String prefix, Path log) {
    JsonNode snapshot = Records.parse(etcd.etcdctl("get", "--prefix", "-w", "json", "--", prefix));
    long revision = snapshot.path("header").path("revision").asLong();
    Map<String, Entry> entries = new LinkedHashMap<>();
    snapshot
        .path("kvs")
        .forEach(
            kv ->
                entries.put(
                    decode(kv.get("key")),
                    new Entry(decode(kv.get("value")), kv.path("lease").asLong())));
    // No "--" here: after it, etcdctl watch takes a command to run on every event.
    ProcessBuilder builder =
        new ProcessBuilder(
            "etcdctl",
            "--endpoints=" + etcd.endpoint(),
            "watch",
            "--prefix",
            "--rev=" + (revision + 1),
            "-w",
            "json",
            prefix);
    builder.environment().put("ETCDCTL_API", "3");
    builder.redirectError(
        ProcessBuilder.Redirect.appendTo(log.resolveSibling("etcd-watch.err").toFile()));
    State first = new State(revision, System.nanoTime(), Map.copyOf(entries));
    return new EtcdWatch(Exec.start(builder), first, log);
  }

  /** Every state seen so far, oldest first; the first is the snapshot. */
  List<State> states() {
    return List.copyOf(states);
  }

  /** The states seen at or after {@code nanos} ({@link System#nanoTime()}). */
  List<State> statesSince(long nanos) {
    return states.stream().filter(s -> s.seenNanos() >= nanos).toList();
  }

  /**
   * Waits (at most {@code atMost}) for a state seen at or after {@code sinceNanos} that matches,
   * and returns the first such.
   */
  State awaitFirst(String what, long sinceNanos, Duration atMost, Predicate<State> matches) {
    return await(what)
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(10))
        .until(() -> first(sinceNanos, matches), Optional::isPresent)
        .orElseThrow();
  }

  private Optional<State> first(long sinceNanos, Predicate<State> matches) {
    return states.stream().filter(s -> s.seenNanos() >= sinceNanos).filter(matches).findFirst();
  }

  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor();
      reader.join(Duration.ofSeconds(5).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void read(Path log) {
    try (BufferedReader in =
            new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        BufferedWriter out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        long seen = System.nanoTime();
        out.write(line);
        out.newLine();
        out.flush();
        if (line.startsWith("{")) {
          apply(Records.parse(line), seen);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading the etcd watch into " + log, e);
    }
  }

  private void apply(JsonNode response, long seen) {
    Map<String, Entry> entries = new LinkedHashMap<>(states.get(states.size() - 1).entries());
    for (JsonNode event : response.path("Events")) {
      JsonNode kv = event.path("kv");
      String key = decode(kv.get("key"));
      // etcd's JSON leaves out zero values: no "type" is a PUT, type 1 a DELETE.
      if (event.path("type").asInt(0) == 1) {
        entries.remove(key);
      } else {
        entries.put(key, new Entry(decode(kv.get("value")), kv.path("lease").asLong()));
      }
    }
    states.add(
        new State(response.path("Header").path("revision").asLong(), seen, Map.copyOf(entries)));
  }

  private static String decode(JsonNode base64) {
    return EtcdServer.decode(base64);
  }
}
