package com.proposalsapp.registrar.config;

import com.proposalsapp.registrar.core.BindAddress;
import com.proposalsapp.registrar.core.HostPort;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Every setting of the agent, validated once; built from flags, then environment, then defaults.
 *
 * @param dc the datacenter; null only for commands that do not need it
 * @param sentinelQuorum Sentinels that must name the same master; 0 for a majority of those known
 * @param id the instance id; null only when {@code dc} is null and no id was given
 * @param redisPassword null when none is configured
 * @param sentinelPassword null when none is configured
 * @param http where the HTTP checks and metrics listen; null for {@code --http off}
 * @param logFormat how log lines are written
 * @param logLevel the root log level, upper case (TRACE, DEBUG, INFO, WARN, ERROR, OFF)
 */
public record Settings(
    List<URI> etcd,
    String prefix,
    String masterName,
    HostPort redis,
    HostPort announce,
    List<HostPort> sentinels,
    String dc,
    String id,
    Duration leaseTtl,
    Duration resyncInterval,
    Duration pollInterval,
    Duration downAfter,
    Duration shutdownTimeout,
    int sentinelQuorum,
    boolean requireSentinelMajority,
    boolean sentinelEvents,
    Duration drainDelay,
    Duration childTimeout,
    Secret redisPassword,
    Secret sentinelPassword,
    // HTTP and logging (issue 8)
    BindAddress http,
    LogFormat logFormat,
    String logLevel,
    // fencing (issue 14)
    FenceSettings fence) {

  /** How log lines are written. */
  public enum LogFormat {
    /** One human-readable line per event. */
    TEXT,
    /** One JSON object per line, with id, dc and role as fields, for log shippers. */
    JSON
  }

  /** The log levels {@code --log-level} takes. */
  public static final List<String> LOG_LEVELS =
      List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

  /** One option: its flag, the environment variables read in order, and its default. */
  public enum Option implements Resolver.Spec {
    ETCD("--etcd", "http://127.0.0.1:2379", "REGISTRAR_ETCD", "ETCDCTL_ENDPOINTS"),
    PREFIX("--prefix", "/service/redis", "REGISTRAR_PREFIX"),
    MASTER_NAME("--master-name", "proposalsapp-redis", "REGISTRAR_MASTER_NAME"),
    REDIS("--redis", "127.0.0.1:6379", "REGISTRAR_REDIS"),
    ANNOUNCE("--announce", null, "REGISTRAR_ANNOUNCE"),
    SENTINELS("--sentinels", "127.0.0.1:26379", "REGISTRAR_SENTINELS"),
    DC("--dc", null, "REGISTRAR_DC", "NOMAD_DC"),
    ID("--id", null, "REGISTRAR_ID"),
    LEASE_TTL("--lease-ttl", "30s", "REGISTRAR_LEASE_TTL"),
    RESYNC_INTERVAL("--resync-interval", "30s", "REGISTRAR_RESYNC_INTERVAL"),
    POLL_INTERVAL("--poll-interval", "1s", "REGISTRAR_POLL_INTERVAL"),
    DOWN_AFTER("--down-after", "3s", "REGISTRAR_DOWN_AFTER"),
    SHUTDOWN_TIMEOUT("--shutdown-timeout", "2s", "REGISTRAR_SHUTDOWN_TIMEOUT"),
    SENTINEL_QUORUM("--sentinel-quorum", null, "REGISTRAR_SENTINEL_QUORUM"),
    REQUIRE_SENTINEL_MAJORITY(
        "--require-sentinel-majority", "true", "REGISTRAR_REQUIRE_SENTINEL_MAJORITY"),
    SENTINEL_EVENTS("--sentinel-events", "true", "REGISTRAR_SENTINEL_EVENTS"),
    DRAIN_DELAY("--drain-delay", "0s", "REGISTRAR_DRAIN_DELAY"),
    CHILD_TIMEOUT("--child-timeout", "10s", "REGISTRAR_CHILD_TIMEOUT"),
    REDIS_PASSWORD_FILE("--redis-password-file", null),
    SENTINEL_PASSWORD_FILE("--sentinel-password-file", null),
    // HTTP and logging (issue 8)
    HTTP("--http", "0.0.0.0:8008", "REGISTRAR_HTTP"),
    LOG_FORMAT("--log-format", "text", "REGISTRAR_LOG_FORMAT"),
    LOG_LEVEL("--log-level", "info", "REGISTRAR_LOG_LEVEL"),
    // fencing (issue 14)
    FENCE("--fence", "false", "REGISTRAR_FENCE"),
    FENCE_TIMEOUT("--fence-timeout", "5s", "REGISTRAR_FENCE_TIMEOUT");

    public final String flag;
    public final String defaultValue;
    public final List<String> env;

    Option(String flag, String defaultValue, String... env) {
      this.flag = flag;
      this.defaultValue = defaultValue;
      this.env = List.of(env);
    }

    @Override
    public String flag() {
      return flag;
    }

    @Override
    public String defaultValue() {
      return defaultValue;
    }

    @Override
    public List<String> env() {
      return env;
    }
  }

  /** Environment variables that hold a password itself (never a flag: argv is world-visible). */
  public static final List<String> REDIS_PASSWORD_ENV =
      List.of("REGISTRAR_REDIS_PASSWORD", "REDISCLI_AUTH");

  public static final List<String> SENTINEL_PASSWORD_ENV = List.of("REGISTRAR_SENTINEL_PASSWORD");

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");
  private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9._-]");

  /**
   * Resolves and validates every setting.
   *
   * @param flags the options given on the command line, by {@link Option}; absent when not given
   * @param env the process environment
   * @param needDc whether the command needs {@code --dc} (and so an id)
   */
  public static Settings resolve(
      Map<Option, String> flags, Function<String, String> env, boolean needDc)
      throws ConfigException {
    Resolver<Option> r = new Resolver<>(flags, env);
    List<URI> etcd = r.get(Option.ETCD, Settings::parseEndpoints);
    String prefix = r.get(Option.PREFIX, Settings::parsePrefix);
    String masterName = r.get(Option.MASTER_NAME, Settings::parseName);
    HostPort redis = r.get(Option.REDIS, HostPort::parse);
    HostPort announce =
        r.present(Option.ANNOUNCE) ? r.get(Option.ANNOUNCE, HostPort::parse) : redis;
    List<HostPort> sentinels = r.get(Option.SENTINELS, Settings::parseAddresses);
    String dc = r.present(Option.DC) ? r.get(Option.DC, Settings::parseName) : null;
    String id = r.present(Option.ID) ? r.get(Option.ID, Settings::parseId) : null;
    Duration leaseTtl = r.get(Option.LEASE_TTL, Settings::parseLeaseTtl);
    Duration resync = r.get(Option.RESYNC_INTERVAL, Settings::parsePositive);
    Duration poll = r.get(Option.POLL_INTERVAL, Settings::parsePositive);
    Duration downAfter = r.get(Option.DOWN_AFTER, Settings::parsePositive);
    Duration shutdownTimeout = r.get(Option.SHUTDOWN_TIMEOUT, Settings::parsePositive);
    int quorum =
        r.present(Option.SENTINEL_QUORUM)
            ? r.get(Option.SENTINEL_QUORUM, v -> parseQuorum(v, sentinels.size()))
            : 0;
    boolean requireMajority = r.get(Option.REQUIRE_SENTINEL_MAJORITY, Settings::parseBoolean);
    boolean sentinelEvents = r.get(Option.SENTINEL_EVENTS, Settings::parseBoolean);
    Duration drainDelay = r.get(Option.DRAIN_DELAY, Durations::parse);
    Duration childTimeout = r.get(Option.CHILD_TIMEOUT, Settings::parsePositive);
    Secret redisPassword = r.secret(Option.REDIS_PASSWORD_FILE, REDIS_PASSWORD_ENV);
    Secret sentinelPassword = r.secret(Option.SENTINEL_PASSWORD_FILE, SENTINEL_PASSWORD_ENV);
    BindAddress http = r.get(Option.HTTP, Settings::parseHttp);
    LogFormat logFormat = r.get(Option.LOG_FORMAT, Settings::parseLogFormat);
    String logLevel = r.get(Option.LOG_LEVEL, Settings::parseLogLevel);
    // fencing (issue 14)
    FenceSettings fence =
        new FenceSettings(
            r.get(Option.FENCE, Settings::parseBoolean),
            r.get(Option.FENCE_TIMEOUT, Settings::parsePositive));
    if (dc == null && needDc) {
      throw new ConfigException(
          "missing --dc: the datacenter is required (flag --dc, or REGISTRAR_DC or NOMAD_DC)");
    }
    if (id == null && dc != null) {
      id = defaultId(dc, announce);
    }
    return new Settings(
        etcd,
        prefix,
        masterName,
        redis,
        announce,
        sentinels,
        dc,
        id,
        leaseTtl,
        resync,
        poll,
        downAfter,
        shutdownTimeout,
        quorum,
        requireMajority,
        sentinelEvents,
        drainDelay,
        childTimeout,
        redisPassword,
        sentinelPassword,
        http,
        logFormat,
        logLevel,
        fence);
  }

  /** The id used when none is given: {@code <dc>-<announce host>-<announce port>}, made safe. */
  public static String defaultId(String dc, HostPort announce) {
    return UNSAFE.matcher(dc + "-" + announce.host() + "-" + announce.port()).replaceAll("-");
  }

  /** The etcd endpoints as the comma list etcdctl takes. */
  public String etcdList() {
    return String.join(",", etcd.stream().map(URI::toString).toList());
  }

  static List<URI> parseEndpoints(String v) {
    List<URI> out = new ArrayList<>();
    for (String part : v.split(",", -1)) {
      String s = part.trim();
      if (!s.contains("://")) {
        s = "http://" + s;
      }
      URI uri;
      try {
        uri = URI.create(s);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("not a URL: " + part.trim());
      }
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        throw new IllegalArgumentException("endpoint must be http:// or https://: " + part.trim());
      }
      if (uri.getHost() == null || uri.getPort() < 1 || uri.getPort() > 65535) {
        throw new IllegalArgumentException(
            "endpoint needs a host and a port in 1..65535: " + part.trim());
      }
      out.add(uri);
    }
    return List.copyOf(out);
  }

  static String parsePrefix(String v) {
    if (!v.startsWith("/") || v.length() < 2 || v.endsWith("/")) {
      throw new IllegalArgumentException(
          "must start with / and not end with / (e.g. /service/redis)");
    }
    for (String segment : v.substring(1).split("/", -1)) {
      if (segment.isEmpty()
          || segment.equals(".")
          || segment.equals("..")
          || !NAME.matcher(segment).matches()) {
        throw new IllegalArgumentException(
            "each segment must be non-empty, not . or .., and use only A-Z a-z 0-9 . _ -");
      }
    }
    return v;
  }

  static String parseName(String v) {
    if (!NAME.matcher(v).matches() || v.equals(".") || v.equals("..")) {
      throw new IllegalArgumentException("use only A-Z a-z 0-9 . _ - (not . or ..)");
    }
    return v;
  }

  private static String parseId(String v) {
    return parseName(v);
  }

  private static List<HostPort> parseAddresses(String v) {
    List<HostPort> out = new ArrayList<>();
    for (String part : v.split(",", -1)) {
      out.add(HostPort.parse(part));
    }
    if (out.stream().distinct().count() != out.size()) {
      throw new IllegalArgumentException("an address is listed twice");
    }
    return List.copyOf(out);
  }

  static Duration parsePositive(String v) {
    Duration d = Durations.parse(v);
    if (d.isZero()) {
      throw new IllegalArgumentException("must be more than 0");
    }
    return d;
  }

  private static Duration parseLeaseTtl(String v) {
    Duration d = Durations.parse(v);
    if (d.toMillis() % 1000 != 0 || d.getSeconds() < 2) {
      throw new IllegalArgumentException("etcd leases take whole seconds, at least 2s");
    }
    return d;
  }

  private static int parseQuorum(String v, int sentinels) {
    int q;
    try {
      q = Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a number");
    }
    if (q < 1 || q > sentinels) {
      throw new IllegalArgumentException(
          "must be between 1 and the number of Sentinels (" + sentinels + ")");
    }
    return q;
  }

  static BindAddress parseHttp(String v) {
    return v.trim().equalsIgnoreCase("off") ? null : BindAddress.parse(v);
  }

  static LogFormat parseLogFormat(String v) {
    return switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "text" -> LogFormat.TEXT;
      case "json" -> LogFormat.JSON;
      default -> throw new IllegalArgumentException("use text or json");
    };
  }

  static String parseLogLevel(String v) {
    String level = v.trim().toUpperCase(Locale.ROOT);
    if (!LOG_LEVELS.contains(level)) {
      throw new IllegalArgumentException(
          "use one of " + String.join(", ", LOG_LEVELS).toLowerCase(Locale.ROOT));
    }
    return level;
  }

  static boolean parseBoolean(String v) {
    return switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "true", "yes", "1", "on" -> true;
      case "false", "no", "0", "off" -> false;
      default -> throw new IllegalArgumentException("not true or false");
    };
  }
}
