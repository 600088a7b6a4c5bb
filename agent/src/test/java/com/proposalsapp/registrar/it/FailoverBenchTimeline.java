package com.proposalsapp.registrar.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Writes what both observers saw, merged in time order, with UTC wall-clock times to the
 * microsecond so that it lines up with the agents' and servers' logs: each {@code +switch-master}
 * sighting and each change of each key at each etcd revision.
 */
final class FailoverBenchTimeline {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);
  private static final long WALL_MILLIS = System.currentTimeMillis();
  private static final long WALL_NANOS = System.nanoTime();

  private record Line(long nanos, String text) {}

  private FailoverBenchTimeline() {}

  static void write(
      Path file,
      String group,
      List<FailoverBenchSwitches.Sighting> sightings,
      List<FailoverBenchRevisions.State> states) {
    List<Line> lines = new ArrayList<>();
    for (FailoverBenchSwitches.Sighting s : sightings) {
      lines.add(
          new Line(
              s.nanos(),
              "+switch-master from "
                  + s.sentinel()
                  + ": "
                  + s.oldMaster()
                  + " -> "
                  + s.newMaster()));
    }
    for (int i = 1; i < states.size(); i++) {
      FailoverBenchRevisions.State before = states.get(i - 1);
      FailoverBenchRevisions.State after = states.get(i);
      TreeSet<String> keys = new TreeSet<>(before.entries().keySet());
      keys.addAll(after.entries().keySet());
      for (String key : keys) {
        String value = after.entries().get(key);
        if (!Objects.equals(before.entries().get(key), value)) {
          lines.add(
              new Line(
                  after.seenNanos(),
                  "rev "
                      + after.revision()
                      + " "
                      + key.substring(group.length())
                      + ": "
                      + describe(after, key)));
        }
      }
    }
    lines.sort(Comparator.comparingLong(Line::nanos));
    List<String> text =
        lines.stream().map(l -> TIME.format(wallClock(l.nanos())) + " " + l.text()).toList();
    try {
      Files.write(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A {@link System#nanoTime()} reading as wall-clock time. */
  static Instant wallClock(long nanos) {
    return Instant.ofEpochMilli(WALL_MILLIS).plusNanos(nanos - WALL_NANOS);
  }

  /** "deleted", "stale", "replica of h:p (link up)", or the master key's "names h:p epoch e". */
  private static String describe(FailoverBenchRevisions.State s, String key) {
    if (!s.entries().containsKey(key)) {
      return "deleted";
    }
    JsonNode v = s.json(key).orElse(null);
    if (v == null) {
      return "not JSON: " + s.entries().get(key);
    }
    String address = v.path("host").asText() + ":" + v.path("port").asText();
    if (!v.has("role")) {
      return "names "
          + address
          + " ("
          + v.path("id").asText()
          + ") epoch "
          + v.path("epoch").asText();
    }
    String followed = Records.followed(v);
    return Records.role(v)
        + (followed.isEmpty() ? "" : " of " + followed + " (link " + v.path("link").asText() + ")")
        + sentinelSummary(v.path("sentinel"));
  }

  private static String sentinelSummary(JsonNode s) {
    return s.isMissingNode()
        ? ""
        : String.format(
            ", Sentinels %s/%s name %s",
            s.path("agreeing").asText(),
            s.path("reachable").asText(),
            s.path("master").asText("-"));
  }
}
