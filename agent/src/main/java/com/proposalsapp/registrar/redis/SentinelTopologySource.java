package com.proposalsapp.registrar.redis;

import com.proposalsapp.registrar.core.HostPort;
import com.proposalsapp.registrar.core.Observation;
import com.proposalsapp.registrar.core.Replication;
import com.proposalsapp.registrar.core.SentinelAnswer;
import com.proposalsapp.registrar.core.SentinelView;
import com.proposalsapp.registrar.core.TopologySource;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Observes one Redis with {@code INFO replication} and asks every Sentinel who is master. */
public final class SentinelTopologySource implements TopologySource {

  private final RedisConnection redis;
  private final List<RedisConnection> sentinels;
  private final String masterName;
  private final int quorum;
  private final Clock clock;
  private final ExecutorService pool;

  /**
   * @param redisPassword null for none
   * @param sentinelPassword null for none
   * @param quorum how many Sentinels must name the same master to confirm it
   * @param timeout the connect and read timeout of every call
   */
  public SentinelTopologySource(
      HostPort redis,
      String redisPassword,
      List<HostPort> sentinels,
      String sentinelPassword,
      String masterName,
      int quorum,
      Duration timeout,
      Clock clock) {
    this.redis = new RedisConnection(redis, "Redis", redisPassword, timeout);
    this.sentinels = new ArrayList<>();
    for (HostPort s : sentinels) {
      this.sentinels.add(new RedisConnection(s, "Sentinel", sentinelPassword, timeout));
    }
    this.masterName = masterName;
    this.quorum = quorum;
    this.clock = clock;
    this.pool =
        Executors.newFixedThreadPool(
            sentinels.size() + 1,
            r -> {
              Thread t = new Thread(r, "observe");
              t.setDaemon(true);
              return t;
            });
  }

  @Override
  public Observation observe() {
    List<CompletableFuture<SentinelAnswer>> asks = new ArrayList<>();
    for (RedisConnection s : sentinels) {
      asks.add(CompletableFuture.supplyAsync(() -> ask(s), pool));
    }
    Replication replication = null;
    String redisError = null;
    try {
      replication = InfoReplication.parse(redis.call(j -> j.info("replication")));
    } catch (RedisException e) {
      redisError = e.getMessage();
    } catch (IllegalArgumentException e) {
      redisError = "Redis at " + redis.address() + ": " + e.getMessage();
    }
    List<SentinelAnswer> answers = asks.stream().map(CompletableFuture::join).toList();
    return new Observation(
        clock.instant(), replication, redisError, SentinelView.of(answers, quorum));
  }

  private SentinelAnswer ask(RedisConnection sentinel) {
    try {
      Map<String, String> m = sentinel.call(j -> j.sentinelMaster(masterName));
      HostPort master = new HostPort(m.get("ip"), Integer.parseInt(m.get("port")));
      String epoch = m.get("config-epoch");
      return SentinelAnswer.named(
          sentinel.address(), master, epoch == null ? 0 : Long.parseLong(epoch));
    } catch (RedisException e) {
      return SentinelAnswer.failed(sentinel.address(), e.getMessage());
    } catch (RuntimeException e) {
      return SentinelAnswer.failed(
          sentinel.address(), "Sentinel at " + sentinel.address() + ": unreadable answer: " + e);
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
    redis.close();
    sentinels.forEach(RedisConnection::close);
  }
}
