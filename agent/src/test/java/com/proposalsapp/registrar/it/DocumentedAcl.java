package com.proposalsapp.registrar.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import redis.clients.jedis.Jedis;

/**
 * The ACL users {@code docs/operations.md} documents for the agent, read from the page itself so
 * that the tests run with exactly what operators are told to create.
 */
public final class DocumentedAcl {

  /** The agent's user on each Redis. */
  public static final String REDIS = "redis";

  /** What the same user also needs on each Redis when fencing is on. */
  public static final String REDIS_FENCING = "redis-fencing";

  /** The agent's user on each Sentinel. */
  public static final String SENTINEL = "sentinel";

  private DocumentedAcl() {}

  /**
   * The arguments of the {@code ACL SETUSER} documented under {@code <!-- acl:name -->}, with
   * {@code PASSWORD} replaced by {@code password}: "registrar", "on", ">pw", ...
   */
  public static List<String> setUser(String name, String password) {
    List<String> lines = page();
    String marker = "<!-- acl:" + name + " -->";
    int i = lines.indexOf(marker);
    if (i < 0) {
      throw new IllegalStateException("docs/operations.md has no " + marker);
    }
    String line =
        lines.subList(i, lines.size()).stream()
            .filter(l -> l.startsWith("ACL SETUSER "))
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("no ACL SETUSER after " + marker));
    List<String> words = List.of(line.substring("ACL SETUSER ".length()).trim().split("\\s+"));
    return words.stream().map(w -> w.replace("PASSWORD", password)).toList();
  }

  /** Runs the documented {@code ACL SETUSER name} on {@code server} as its admin. */
  public static void apply(RespServer server, String name, String password) {
    List<String> args = setUser(name, password);
    try (Jedis admin = server.jedis()) {
      admin.aclSetUser(args.get(0), args.subList(1, args.size()).toArray(String[]::new));
    }
  }

  private static List<String> page() {
    Path root = Path.of(System.getProperty("user.dir"));
    Path page = root.resolve("docs/operations.md");
    if (!Files.exists(page)) {
      page = root.resolveSibling("docs").resolve("operations.md"); // run from the agent module
    }
    try {
      return Files.readAllLines(page);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
