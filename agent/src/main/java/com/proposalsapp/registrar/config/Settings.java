package com.proposalsapp.registrar.config;

import com.proposalsapp.registrar.core.BindAddress;
import com.proposalsapp.registrar.core.HostPort;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Every setting of the agent's commands, validated once; built from flags, then environment, then
 * defaults (each option is declared once, in {@link Options}).
 *
 * @param etcd where the records live
 * @param masterName the Sentinel master name, which also names the group's keys
 * @param dc the datacenter; null only for commands that do not need it
 * @param id the instance id; null only when {@code dc} is null and no id was given
 * @param redis the Redis watched
 * @param sentinel the Sentinels asked
 * @param timing the agent's clocks
 * @param exec how {@code exec} stops its Redis
 * @param fence the write fence during a failover away from this instance
 * @param http where the HTTP checks and metrics listen; null for {@code --http off}
 * @param log how log lines are written
 * @param warnings what to log once logging is set up (a secret file others can read)
 */
public record Settings(
    EtcdSettings etcd,
    String masterName,
    String dc,
    String id,
    RedisSettings redis,
    SentinelSettings sentinel,
    Timing timing,
    ExecSettings exec,
    FenceSettings fence,
    BindAddress http,
    LogSettings log,
    List<String> warnings) {

  private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9._-]");

  public Settings {
    warnings = List.copyOf(warnings);
  }

  /**
   * Resolves and validates every setting.
   *
   * @param flags the options given on the command line; absent when not given
   * @param env the process environment
   * @param needDc whether the command needs {@code --dc} (and so an id)
   */
  public static Settings resolve(
      Map<Opt<?>, String> flags, Function<String, String> env, boolean needDc)
      throws ConfigException {
    Resolver r = new Resolver(flags, env);
    EtcdSettings etcd = EtcdSettings.resolve(r);
    String masterName = r.get(Options.MASTER_NAME);
    RedisSettings redis = RedisSettings.resolve(r);
    SentinelSettings sentinel = SentinelSettings.resolve(r);
    Timing timing = Timing.resolve(r);
    ExecSettings exec = ExecSettings.resolve(r);
    FenceSettings fence = FenceSettings.resolve(r);
    BindAddress http = r.get(Options.HTTP);
    LogSettings log = LogSettings.resolve(r);
    String dc = needDc ? r.required(Options.DC, "the datacenter is required") : r.get(Options.DC);
    String id = r.get(Options.ID);
    if (id == null && dc != null) {
      id = defaultId(dc, redis.announce());
    }
    return new Settings(
        etcd, masterName, dc, id, redis, sentinel, timing, exec, fence, http, log, r.warnings());
  }

  /** The id used when none is given: {@code <dc>-<announce host>-<announce port>}, made safe. */
  public static String defaultId(String dc, HostPort announce) {
    return UNSAFE.matcher(dc + "-" + announce.host() + "-" + announce.port()).replaceAll("-");
  }
}
