package com.proposalsapp.registrar.redis;

import com.proposalsapp.registrar.core.FailoverProbe;
import com.proposalsapp.registrar.core.HostPort;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Asks each known Sentinel {@code SENTINEL MASTER <name>}: the master it names and whether its
 * flags say {@code failover_in_progress}, and its {@code down-after-milliseconds}.
 */
public final class SentinelFailoverProbe
    implements FailoverProbe, com.proposalsapp.registrar.core.Switchover.Trigger, AutoCloseable {

  private final KnownSentinels sentinels;
  private final String masterName;
  private final RedisClients clients;
  private final Map<HostPort, RedisConnection> connections = new ConcurrentHashMap<>();

  /**
   * @param clients how to connect and log in to the Sentinels
   */
  public SentinelFailoverProbe(KnownSentinels sentinels, String masterName, RedisClients clients) {
    this.sentinels = sentinels;
    this.masterName = masterName;
    this.clients = clients;
  }

  @Override
  public Reading read() {
    int reachable = 0;
    boolean inProgress = false;
    List<HostPort> masters = new ArrayList<>();
    Duration downAfter = null;
    for (HostPort s : sentinels.all()) {
      RedisConnection c =
          connections.computeIfAbsent(s, a -> new RedisConnection(a, "Sentinel", clients));
      try {
        Map<String, String> m = c.call(j -> j.sentinelMaster(masterName));
        HostPort master = new HostPort(m.get("ip"), Integer.parseInt(m.get("port")));
        String ms = m.get("down-after-milliseconds");
        Duration d = ms == null ? null : Duration.ofMillis(Long.parseLong(ms));
        masters.add(master);
        inProgress |= m.getOrDefault("flags", "").contains("failover_in_progress");
        if (d != null && (downAfter == null || d.compareTo(downAfter) < 0)) {
          downAfter = d;
        }
        reachable++;
      } catch (RedisException | RuntimeException e) {
        // not counted: an unreachable Sentinel says nothing
      }
    }
    return new Reading(reachable, masters, inProgress, downAfter);
  }

  /** {@code SENTINEL FAILOVER <name>} on the first Sentinel that takes it. */
  @Override
  public void failover() throws com.proposalsapp.registrar.core.FenceException {
    String last = "no Sentinel configured";
    for (HostPort s : sentinels.all()) {
      RedisConnection c =
          connections.computeIfAbsent(s, a -> new RedisConnection(a, "Sentinel", clients));
      try {
        c.call(j -> j.sentinelFailover(masterName));
        return;
      } catch (RedisException e) {
        last = e.getMessage();
      }
    }
    throw new com.proposalsapp.registrar.core.FenceException(
        "SENTINEL FAILOVER refused: " + last, null);
  }

  @Override
  public void close() {
    connections.values().forEach(RedisConnection::close);
  }
}
