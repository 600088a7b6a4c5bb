package com.proposalsapp.registrar.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.proposalsapp.registrar.config.Settings;
import com.proposalsapp.registrar.core.InstanceRecord;
import com.proposalsapp.registrar.core.Published;
import com.proposalsapp.registrar.core.RegistryException;
import com.proposalsapp.registrar.etcd.EtcdRegistry;
import com.proposalsapp.registrar.etcd.RecordJson;
import com.proposalsapp.registrar.runtime.Components;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code status}: every record under the prefix, as a table or JSON. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "List every instance record under --prefix, with the time left on its lease.")
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
    out().print(format == Format.json ? json(records) : table(records));
    out().flush();
    return ExitCode.OK;
  }

  static String json(List<Published> records) {
    ObjectMapper mapper = new ObjectMapper();
    ArrayNode array = mapper.createArrayNode();
    for (Published p : records) {
      ObjectNode n = array.addObject();
      n.put("key", p.key());
      n.put("lease", Long.toHexString(p.lease()));
      n.put("ttl_left", p.ttlLeft());
      n.put("valid", p.valid());
      if (p.valid()) {
        n.set("record", RecordJson.toNode(p.record()));
      } else {
        n.put("raw", p.raw());
      }
    }
    return array.toPrettyString() + System.lineSeparator();
  }

  static String table(List<Published> records) {
    List<String[]> rows = new ArrayList<>();
    rows.add(
        new String[] {
          "DC", "ID", "ROLE", "ADDRESS", "MASTER", "LINK", "SENTINEL", "LEASE TTL LEFT"
        });
    for (Published p : records) {
      String ttl = p.lease() == 0 ? "no lease" : p.ttlLeft() < 0 ? "expired" : p.ttlLeft() + "s";
      if (!p.valid()) {
        String id = p.key().substring(p.key().lastIndexOf('/') + 1);
        rows.add(new String[] {"-", id, "INVALID", "-", "-", "-", "-", ttl});
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
