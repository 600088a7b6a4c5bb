package com.proposalsapp.registrar.it;

import java.util.List;

/**
 * The routing tier under test, between the benchmark's clients and the sandbox's Redis: a write
 * listener and a read listener on this node (datacenter {@link #LOCAL_DC}).
 */
interface RoutingBenchTier extends AutoCloseable {
  /** The benchmark plays the application node of this datacenter. */
  String LOCAL_DC = "dc2";

  int LOCAL_WEIGHT = 10;
  int REMOTE_WEIGHT = 1;

  /** Server slots per backend for route: the three instances and one for a change in flight. */
  int ROUTE_SLOTS = 4;

  /** A short name for the tables ("tcp-check", "route"). */
  String label();

  /** One line on how it is set up. */
  String description();

  /** "host:port" of the write listener. */
  String writeAddress();

  /** "host:port" of the read listener. */
  String readAddress();

  @Override
  void close();

  /**
   * What users pick without a registry: HAProxy alone, every Redis in both listeners, checked with
   * {@code tcp-check} ({@code info replication} expecting {@code role:master} for writes, {@code
   * PING} for reads), {@code inter 1s fall 1 rise 1}, {@code on-marked-down shutdown-sessions}; the
   * read listener weighted like {@code route}'s.
   */
  static RoutingBenchTier tcpCheck(Sandbox sandbox) {
    HaproxyServer haproxy = sandbox.startHaproxy("haproxy", h -> tcpCheckConfig(sandbox, h));
    return new HaproxyTier(
        "tcp-check",
        "HAProxy alone: tcp-check info replication / role:master, inter 1s fall 1 rise 1,"
            + " on-marked-down shutdown-sessions",
        haproxy,
        null);
  }

  /**
   * HAProxy on the configuration {@code redis-registrar route --print-haproxy-config} prints, kept
   * in step by {@code redis-registrar route --dc dc2} through its stats socket.
   */
  static RoutingBenchTier route(Sandbox sandbox) {
    HaproxyServer haproxy =
        sandbox.startHaproxy("haproxy", h -> Routers.printedConfig(h, ROUTE_SLOTS));
    AgentProcess route =
        Routers.start(
            sandbox,
            haproxy,
            "route-" + LOCAL_DC,
            LOCAL_DC,
            "--local-weight",
            Integer.toString(LOCAL_WEIGHT),
            "--remote-weight",
            Integer.toString(REMOTE_WEIGHT),
            "--slots",
            Integer.toString(ROUTE_SLOTS));
    return new HaproxyTier(
        "route",
        "HAProxy + redis-registrar route --dc " + LOCAL_DC + " (Runtime API)",
        haproxy,
        route);
  }

  /**
   * HAProxy on the repository's confd template (nomad/confd/), rendered from the sandbox's records
   * by {@link ConfdStandIn}: every instance a server in both listeners, HAProxy's checks against
   * the agents' {@code /master} and {@code /read-only} deciding who takes traffic. A failover
   * renders the very same file (ConfdTemplateIT proves it), so confd would neither check nor reload
   * during the run: rendering once is what confd would have done. Needs agents that serve HTTP and
   * publish it in their records' {@code http} field.
   */
  static RoutingBenchTier confd(Sandbox sandbox) {
    java.util.Map<String, String> keys = sandbox.etcd().getPrefix(Records.GROUP);
    long withHttp =
        Records.all(sandbox.etcd()).values().stream().filter(r -> r.hasNonNull("http")).count();
    if (withHttp != sandbox.redis().size()) {
      throw new IllegalStateException(
          "the confd mode needs agents that serve HTTP (issue 8): "
              + withHttp
              + " of "
              + sandbox.redis().size()
              + " records have an http field");
    }
    HaproxyServer haproxy =
        sandbox.startHaproxy(
            "haproxy",
            h ->
                ConfdStandIn.render(
                        sandbox.dir().resolve("confd"),
                        ConfdStandIn.env(LOCAL_DC, h.writeAddress(), h.readAddress()),
                        keys)
                    .replace("/run/haproxy/admin.sock", h.socket().toString())
                    .replace(
                        "/var/lib/haproxy/redis-haproxy.state",
                        h.dir().resolve("server-state").toString()));
    return new HaproxyTier(
        "confd",
        "HAProxy on the confd template: httpchk /master and /read-only on the agents, inter 1s"
            + " fall 1 rise 1, on-marked-down shutdown-sessions",
        haproxy,
        null);
  }

  private static String tcpCheckConfig(Sandbox sandbox, HaproxyServer h) {
    StringBuilder c = new StringBuilder();
    c.append(
        String.join(
            "\n",
            "global",
            "  stats socket " + h.socket() + " level admin",
            "  maxconn 1024",
            "defaults",
            "  mode tcp",
            "  timeout connect 1s",
            "  timeout check 1s",
            "  timeout client 1h",
            "  timeout server 1h",
            "listen redis-write",
            "  bind " + h.writeAddress(),
            "  option tcp-check",
            "  tcp-check connect",
            "  tcp-check send PING\\r\\n",
            "  tcp-check expect string +PONG",
            "  tcp-check send info\\ replication\\r\\n",
            "  tcp-check expect string role:master",
            "  tcp-check send QUIT\\r\\n",
            "  tcp-check expect string +OK",
            ""));
    servers(sandbox, c, false);
    c.append(
        String.join(
            "\n",
            "listen redis-read",
            "  bind " + h.readAddress(),
            "  balance roundrobin",
            "  option tcp-check",
            "  tcp-check connect",
            "  tcp-check send PING\\r\\n",
            "  tcp-check expect string +PONG",
            "  tcp-check send QUIT\\r\\n",
            "  tcp-check expect string +OK",
            ""));
    servers(sandbox, c, true);
    return c.toString();
  }

  private static void servers(Sandbox sandbox, StringBuilder c, boolean weighted) {
    List<RedisServer> redis = sandbox.redis();
    for (int i = 0; i < redis.size(); i++) {
      String dc = Agents.dc(i);
      int weight = dc.equals(LOCAL_DC) ? LOCAL_WEIGHT : REMOTE_WEIGHT;
      c.append("  server ")
          .append(dc)
          .append(' ')
          .append(redis.get(i).address())
          .append(weighted ? " weight " + weight : "")
          .append(" check inter 1s fall 1 rise 1 on-marked-down shutdown-sessions\n");
    }
  }

  /** HAProxy and, for {@code route}, the router beside it. */
  record HaproxyTier(String label, String description, HaproxyServer haproxy, AgentProcess route)
      implements RoutingBenchTier {
    @Override
    public String writeAddress() {
      return haproxy.writeAddress();
    }

    @Override
    public String readAddress() {
      return haproxy.readAddress();
    }

    @Override
    public void close() {
      if (route != null) {
        route.close();
      }
      haproxy.close();
    }
  }
}
