package com.proposalsapp.registrar.cli;

import com.proposalsapp.registrar.config.Settings;
import com.proposalsapp.registrar.core.FenceStatus;
import com.proposalsapp.registrar.core.InstanceRecord;
import com.proposalsapp.registrar.core.Published;
import com.proposalsapp.registrar.core.RegistryException;
import com.proposalsapp.registrar.etcd.EtcdRegistry;
import com.proposalsapp.registrar.etcd.RecordJson;
import com.proposalsapp.registrar.http.AgentStatusReader;
import com.proposalsapp.registrar.runtime.Components;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code status}: every record under the prefix, as a table or JSON, with each agent's write fence
 * as its {@code /status} tells it (asked at the record's {@code http} address).
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "List every instance record under --prefix, with the time left on its lease and the",
      "agent's write fence (held, on, off; '?' when its /status does not answer, '-' when the",
      "record has no HTTP address)."
    })
final class StatusCommand extends BaseCommand {

  enum Format {
    table,
    json
  }

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      description = "table (default) or json")
  Format format = Format.table;

  @Override
  boolean needsDc() {
    return false;
  }

  /** How long the agents' {@code /status} may take to answer, all asked at once. */
  private static final Duration STATUS_TIMEOUT = Duration.ofMillis(500);

  @Override
  int run(Settings s) {
    List<Published> records;
    try (EtcdRegistry registry = Components.registry(s, false)) {
      records = new ArrayList<>(registry.list());
    } catch (RegistryException e) {
      return fail(e.getMessage());
    }
    records.sort(
        Comparator.comparing((Published p) -> p.valid() ? p.record().dc() : "")
            .thenComparing(Published::key));
    Map<String, Optional<FenceStatus>> fences =
        new AgentStatusReader(STATUS_TIMEOUT)
            .fences(
                records.stream()
                    .filter(p -> p.valid() && p.record().http() != null)
                    .map(p -> p.record().http())
                    .toList());
    Instant now = Instant.now();
    out()
        .print(
            format == Format.json
                ? json(records, fences)
                : table(records, p -> fenceCell(p, fences, now)));
    out().flush();
    return ExitCode.OK;
  }

  /**
   * The FENCE cell: {@code held 412ms} while the agent holds writes, {@code on} or {@code off},
   * {@code ?} when its {@code /status} did not answer, {@code -} without an HTTP address.
   */
  static String fenceCell(Published p, Map<String, Optional<FenceStatus>> fences, Instant now) {
    if (!p.valid() || p.record().http() == null) {
      return "-";
    }
    Optional<FenceStatus> f = fences.getOrDefault(p.record().http(), Optional.empty());
    if (f.isEmpty()) {
      return "?";
    }
    FenceStatus fence = f.get();
    if (fence.held()) {
      long ms =
          fence.since() == null ? 0 : Math.max(0, Duration.between(fence.since(), now).toMillis());
      return "held " + ms + "ms";
    }
    return fence.enabled() ? "on" : "off";
  }

  static String json(List<Published> records, Map<String, Optional<FenceStatus>> fences) {
    List<Object> array = new ArrayList<>();
    for (Published p : records) {
      Map<String, Object> n = new LinkedHashMap<>();
      array.add(n);
      n.put("key", p.key());
      n.put("lease", Long.toHexString(p.lease()));
      n.put("ttl_left", p.ttlLeft());
      n.put("valid", p.valid());
      if (p.valid()) {
        n.put("record", RecordJson.toNode(p.record()));
        Optional<FenceStatus> f =
            p.record().http() == null
                ? Optional.empty()
                : fences.getOrDefault(p.record().http(), Optional.empty());
        if (f.isPresent()) {
          Map<String, Object> fence = RecordJson.putObject(n, "fence");
          fence.put("enabled", f.get().enabled());
          fence.put("held", f.get().held());
          fence.put("since", f.get().since() == null ? null : f.get().since().toString());
        } else {
          n.put("fence", null);
        }
      } else {
        n.put("raw", p.raw());
      }
    }
    return RecordJson.prettyText(array) + System.lineSeparator();
  }

  static String table(List<Published> records, Function<Published, String> fence) {
    List<String[]> rows = new ArrayList<>();
    rows.add(
        new String[] {
          "DC", "ID", "ROLE", "ADDRESS", "MASTER", "LINK", "SENTINEL", "FENCE", "LEASE TTL LEFT"
        });
    for (Published p : records) {
      String ttl = p.lease() == 0 ? "no lease" : p.ttlLeft() < 0 ? "expired" : p.ttlLeft() + "s";
      if (!p.valid()) {
        String id = p.key().substring(p.key().lastIndexOf('/') + 1);
        rows.add(new String[] {"-", id, "INVALID", "-", "-", "-", "-", "-", ttl});
        continue;
      }
      InstanceRecord r = p.record();
      String sentinel =
          r.sentinel().agreeing()
              + "/"
              + r.sentinel().reachable()
              + (r.sentinel().confirmed() ? " confirmed" : " unconfirmed");
      rows.add(
          new String[] {
            r.dc(),
            r.id(),
            r.role().wire(),
            r.address().toString(),
            r.masterHost() == null ? "-" : r.masterHost() + ":" + r.masterPort(),
            r.link() == null ? "-" : r.link(),
            sentinel,
            fence.apply(p),
            ttl
          });
    }
    int[] widths = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        sb.append(
            i == row.length - 1 ? row[i] : String.format("%-" + (widths[i] + 2) + "s", row[i]));
      }
      sb.append(System.lineSeparator());
    }
    if (records.isEmpty()) {
      sb.append("(no records)").append(System.lineSeparator());
    }
    return sb.toString();
  }
}
