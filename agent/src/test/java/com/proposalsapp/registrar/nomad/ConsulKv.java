package com.proposalsapp.registrar.nomad;

import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Consul KV table as the README documents it: key to default ("generated" for the password).
 */
final class ConsulKv {

  private static final Pattern ROW =
      Pattern.compile("^\\| `(redis/[a-z_]+)` \\| `?([^`|]+?)`? \\|", Pattern.MULTILINE);

  private ConsulKv() {}

  static Map<String, String> readmeTable() throws IOException {
    String readme = Files.readString(JobSpec.repoRoot().resolve("README.md"));
    Map<String, String> table = new LinkedHashMap<>();
    Matcher row = ROW.matcher(readme);
    while (row.find()) {
      table.put(row.group(1), row.group(2).strip());
    }
    return table;
  }
}
