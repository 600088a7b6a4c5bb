package com.proposalsapp.registrar.cli;

import com.proposalsapp.registrar.config.ConfigException;
import com.proposalsapp.registrar.config.Settings;
import com.proposalsapp.registrar.config.Settings.Option;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine;

/** The options every command accepts; values are validated by {@link Settings}, not here. */
final class Options {

  @CommandLine.Option(
      names = "--etcd",
      paramLabel = "URLS",
      description =
          "etcd endpoints, comma-separated (env REGISTRAR_ETCD, then ETCDCTL_ENDPOINTS; default http://127.0.0.1:2379)")
  String etcd;

  @CommandLine.Option(
      names = "--prefix",
      paramLabel = "PATH",
      description = "key prefix (env REGISTRAR_PREFIX; default /service/redis)")
  String prefix;

  @CommandLine.Option(
      names = "--master-name",
      paramLabel = "NAME",
      description = "Sentinel master name (env REGISTRAR_MASTER_NAME; default proposalsapp-redis)")
  String masterName;

  @CommandLine.Option(
      names = "--redis",
      paramLabel = "HOST:PORT",
      description = "the Redis this agent watches (env REGISTRAR_REDIS; default 127.0.0.1:6379)")
  String redis;

  @CommandLine.Option(
      names = "--announce",
      paramLabel = "HOST:PORT",
      description =
          "address published for clients (env REGISTRAR_ANNOUNCE; default the --redis address)")
  String announce;

  @CommandLine.Option(
      names = "--sentinels",
      paramLabel = "HOST:PORT,...",
      description = "Sentinels to ask (env REGISTRAR_SENTINELS; default 127.0.0.1:26379)")
  String sentinels;

  @CommandLine.Option(
      names = "--dc",
      paramLabel = "NAME",
      description =
          "datacenter (env REGISTRAR_DC, then NOMAD_DC; required for run, register, check)")
  String dc;

  @CommandLine.Option(
      names = "--id",
      paramLabel = "ID",
      description = "instance id (env REGISTRAR_ID; default <dc>-<announce host>-<announce port>)")
  String id;

  @CommandLine.Option(
      names = "--lease-ttl",
      paramLabel = "DURATION",
      description = "etcd lease TTL, whole seconds (env REGISTRAR_LEASE_TTL; default 30s)")
  String leaseTtl;

  @CommandLine.Option(
      names = "--resync-interval",
      paramLabel = "DURATION",
      description = "full compare of Redis and etcd (env REGISTRAR_RESYNC_INTERVAL; default 30s)")
  String resyncInterval;

  @CommandLine.Option(
      names = "--poll-interval",
      paramLabel = "DURATION",
      description = "INFO replication poll (env REGISTRAR_POLL_INTERVAL; default 1s)")
  String pollInterval;

  @CommandLine.Option(
      names = "--down-after",
      paramLabel = "DURATION",
      description =
          "withdraw the record after Redis is unreachable this long (env REGISTRAR_DOWN_AFTER; default 3s)")
  String downAfter;

  @CommandLine.Option(
      names = "--shutdown-timeout",
      paramLabel = "DURATION",
      description =
          "bound on deregistering at SIGTERM (env REGISTRAR_SHUTDOWN_TIMEOUT; default 2s)")
  String shutdownTimeout;

  @CommandLine.Option(
      names = "--sentinel-quorum",
      paramLabel = "N",
      description =
          "Sentinels that must name the same master (env REGISTRAR_SENTINEL_QUORUM; default a majority)")
  String sentinelQuorum;

  @CommandLine.Option(
      names = "--require-sentinel-majority",
      negatable = true,
      description =
          "never publish master without a Sentinel quorum (env REGISTRAR_REQUIRE_SENTINEL_MAJORITY; default true)")
  Boolean requireSentinelMajority;

  @CommandLine.Option(
      names = "--sentinel-events",
      negatable = true,
      description =
          "subscribe to Sentinel events; --no-sentinel-events polls only (env REGISTRAR_SENTINEL_EVENTS; default true)")
  Boolean sentinelEvents;

  @CommandLine.Option(
      names = "--drain-delay",
      paramLabel = "DURATION",
      description =
          "exec: pause between deregistering and stopping Redis (env REGISTRAR_DRAIN_DELAY; default 0s)")
  String drainDelay;

  @CommandLine.Option(
      names = "--child-timeout",
      paramLabel = "DURATION",
      description =
          "exec: wait this long for Redis to stop before SIGKILL (env REGISTRAR_CHILD_TIMEOUT; default 10s)")
  String childTimeout;

  @CommandLine.Option(
      names = "--redis-password-file",
      paramLabel = "FILE",
      description =
          "file holding the Redis password (or env REGISTRAR_REDIS_PASSWORD, then REDISCLI_AUTH)")
  String redisPasswordFile;

  @CommandLine.Option(
      names = "--sentinel-password-file",
      paramLabel = "FILE",
      description = "file holding the Sentinel password (or env REGISTRAR_SENTINEL_PASSWORD)")
  String sentinelPasswordFile;

  // --- HTTP and logging (issue 8) ---

  @CommandLine.Option(
      names = "--http",
      paramLabel = "HOST:PORT|off",
      description =
          "run/exec: serve role and health checks and /metrics here; port 0 picks one (env REGISTRAR_HTTP; default 0.0.0.0:8008)")
  String http;

  @CommandLine.Option(
      names = "--log-format",
      paramLabel = "text|json",
      description =
          "log lines as text or one JSON object each (env REGISTRAR_LOG_FORMAT; default text)")
  String logFormat;

  @CommandLine.Option(
      names = "--log-level",
      paramLabel = "LEVEL",
      description =
          "trace, debug, info, warn, error or off (env REGISTRAR_LOG_LEVEL; default info)")
  String logLevel;

  // --- fencing (issue 14) ---

  @CommandLine.Option(
      names = "--fence",
      negatable = true,
      description =
          "run/exec: hold writes on this Redis while a Sentinel failover away from it is under way (env REGISTRAR_FENCE; default false until the benchmark shows the targets of issue 14 met)")
  Boolean fence;

  @CommandLine.Option(
      names = "--fence-timeout",
      paramLabel = "DURATION",
      description =
          "run/exec: the longest writes are held by the fence (env REGISTRAR_FENCE_TIMEOUT; default 5s)")
  String fenceTimeout;

  /** Validates the options against the environment. */
  Settings settings(Function<String, String> env, boolean needDc) throws ConfigException {
    Map<Option, String> flags = new EnumMap<>(Option.class);
    put(flags, Option.ETCD, etcd);
    put(flags, Option.PREFIX, prefix);
    put(flags, Option.MASTER_NAME, masterName);
    put(flags, Option.REDIS, redis);
    put(flags, Option.ANNOUNCE, announce);
    put(flags, Option.SENTINELS, sentinels);
    put(flags, Option.DC, dc);
    put(flags, Option.ID, id);
    put(flags, Option.LEASE_TTL, leaseTtl);
    put(flags, Option.RESYNC_INTERVAL, resyncInterval);
    put(flags, Option.POLL_INTERVAL, pollInterval);
    put(flags, Option.DOWN_AFTER, downAfter);
    put(flags, Option.SHUTDOWN_TIMEOUT, shutdownTimeout);
    put(flags, Option.SENTINEL_QUORUM, sentinelQuorum);
    put(
        flags,
        Option.REQUIRE_SENTINEL_MAJORITY,
        requireSentinelMajority == null ? null : requireSentinelMajority.toString());
    put(flags, Option.SENTINEL_EVENTS, sentinelEvents == null ? null : sentinelEvents.toString());
    put(flags, Option.DRAIN_DELAY, drainDelay);
    put(flags, Option.CHILD_TIMEOUT, childTimeout);
    put(flags, Option.REDIS_PASSWORD_FILE, redisPasswordFile);
    put(flags, Option.SENTINEL_PASSWORD_FILE, sentinelPasswordFile);
    put(flags, Option.HTTP, http);
    put(flags, Option.LOG_FORMAT, logFormat);
    put(flags, Option.LOG_LEVEL, logLevel);
    // fencing (issue 14)
    put(flags, Option.FENCE, fence == null ? null : fence.toString());
    put(flags, Option.FENCE_TIMEOUT, fenceTimeout);
    return Settings.resolve(flags, env, needDc);
  }

  private static void put(Map<Option, String> flags, Option o, String value) {
    if (value != null) {
      flags.put(o, value);
    }
  }
}
