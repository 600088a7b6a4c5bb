package com.proposalsapp.registrar.redis;

import com.proposalsapp.registrar.core.FenceException;
import com.proposalsapp.registrar.core.HostPort;
import com.proposalsapp.registrar.core.Replication;
import com.proposalsapp.registrar.core.WriteHold;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import redis.clients.jedis.Protocol;

/**
 * The write fence's commands on one Redis, on a connection of its own: {@code CLIENT PAUSE ms
 * WRITE} (Redis 6.2 or later), {@code CLIENT UNPAUSE}, {@code CLIENT KILL TYPE normal SKIPME yes}
 * and the replicas' offsets from {@code INFO replication}.
 */
public final class RedisWriteHold implements WriteHold {

  /**
   * How long a replica may take to tell its offset: the catch-up wait polls them while writes are
   * held, so one that does not answer must not stretch it.
   */
  private static final Duration REPLICA_TIMEOUT = Duration.ofMillis(200);

  private final RedisConnection redis;
  private final RedisClients replicaClients;
  private final Map<HostPort, RedisConnection> replicas = new HashMap<>();
  private final java.util.Set<HostPort> unreachable = new java.util.HashSet<>();

  /**
   * @param clients how to connect and log in to that Redis (and to its replicas, for their offsets)
   */
  public RedisWriteHold(HostPort address, RedisClients clients) {
    this.redis = new RedisConnection(address, "Redis", clients);
    this.replicaClients = clients.withTimeout(REPLICA_TIMEOUT);
  }

  @Override
  public void pause(Duration bound) throws FenceException {
    run("CLIENT", "PAUSE", Long.toString(Math.max(1, bound.toMillis())), "WRITE");
  }

  @Override
  public void unpause() throws FenceException {
    run("CLIENT", "UNPAUSE");
  }

  @Override
  public int disconnectClients() throws FenceException {
    Object n = run("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
    return n instanceof Long l ? l.intValue() : 0;
  }

  /**
   * The master's offset, and each replica's as the replica itself reports it ({@code
   * slave_repl_offset} in its own {@code INFO replication}) when it answers within 200 ms, else
   * (and from then on: it is not asked again) as the master last heard it. The master's figure
   * comes from the replica's {@code REPLCONF ACK}, sent once a second: waiting for it alone costs
   * up to a second of held writes at a switchover.
   */
  @Override
  public synchronized Offsets offsets() throws FenceException {
    String info;
    try {
      info = redis.call(j -> j.info("replication"));
    } catch (RedisException e) {
      throw new FenceException(e.getMessage(), e);
    }
    Offsets acked = parseOffsets(info);
    Map<HostPort, Long> seen = new HashMap<>(acked.replicas());
    for (Map.Entry<HostPort, Long> r : acked.replicas().entrySet()) {
      if (unreachable.contains(r.getKey())) {
        continue;
      }
      RedisConnection c =
          replicas.computeIfAbsent(
              r.getKey(), a -> new RedisConnection(a, "Redis", replicaClients));
      try {
        long own = parseReplicaOffset(c.call(j -> j.info("replication")));
        seen.put(r.getKey(), Math.max(r.getValue(), own));
      } catch (RedisException | RuntimeException e) {
        unreachable.add(r.getKey()); // the master's figure for it stands
      }
    }
    return new Offsets(acked.master(), seen);
  }

  /**
   * A replica's own processed offset ({@code slave_repl_offset}, as {@link InfoReplication} reads
   * it); -1 if the instance reports itself a master.
   */
  static long parseReplicaOffset(String info) {
    Replication r = InfoReplication.parse(info);
    return r.master() ? -1 : r.offset();
  }

  /** The master's offset and each {@code slaveN:ip=..,port=..,offset=..} line's. */
  static Offsets parseOffsets(String info) {
    long master = 0;
    Map<HostPort, Long> replicas = new HashMap<>();
    for (String line : info.split("\r?\n")) {
      if (line.startsWith("master_repl_offset:")) {
        master = Long.parseLong(line.substring("master_repl_offset:".length()).trim());
      } else if (line.matches("slave\\d+:.*")) {
        Map<String, String> f = new HashMap<>();
        for (String kv : line.substring(line.indexOf(':') + 1).split(",")) {
          int eq = kv.indexOf('=');
          if (eq > 0) {
            f.put(kv.substring(0, eq), kv.substring(eq + 1).trim());
          }
        }
        if (f.containsKey("ip") && f.containsKey("port") && f.containsKey("offset")) {
          replicas.put(
              new HostPort(f.get("ip"), Integer.parseInt(f.get("port"))),
              Long.parseLong(f.get("offset")));
        }
      }
    }
    return new Offsets(master, replicas);
  }

  private Object run(String... args) throws FenceException {
    try {
      return redis.call(
          j ->
              j.sendCommand(
                  Protocol.Command.valueOf(args[0]),
                  java.util.Arrays.copyOfRange(args, 1, args.length)));
    } catch (RedisException e) {
      throw new FenceException(e.getMessage() + " (" + String.join(" ", args) + ")", e);
    }
  }

  @Override
  public synchronized void close() {
    redis.close();
    replicas.values().forEach(RedisConnection::close);
  }
}
