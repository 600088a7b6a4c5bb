package com.proposalsapp.registrar.config;

import com.proposalsapp.registrar.core.BindAddress;
import com.proposalsapp.registrar.core.HostPort;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Every option of every command, each declared once: flag, environment, default, help and check.
 * The settings records resolve from these; the command line and {@code --help} are made from them.
 */
public final class Options {

  private Options() {}

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");

  // --- etcd (every command)

  public static final Opt<List<java.net.URI>> ETCD =
      Opt.value("--etcd", "URLS", EtcdSettings::parseEndpoints)
          .byDefault("http://127.0.0.1:2379")
          .env("REGISTRAR_ETCD", "ETCDCTL_ENDPOINTS")
          .help("etcd endpoints, comma-separated, all http:// or all https://");

  public static final Opt<String> PREFIX =
      Opt.value("--prefix", "PATH", Options::parsePrefix)
          .byDefault("/service/redis")
          .env("REGISTRAR_PREFIX")
          .help("key prefix");

  public static final Opt<Path> ETCD_CACERT =
      Opt.value("--etcd-cacert", "FILE", Options::parseReadableFile)
          .env("ETCDCTL_CACERT")
          .help("PEM CA that signs etcd's certificate, for https://; default the JVM's CAs");

  public static final Opt<Path> ETCD_CERT =
      Opt.value("--etcd-cert", "FILE", Options::parseReadableFile)
          .env("ETCDCTL_CERT")
          .help("PEM client certificate for etcd's --client-cert-auth");

  public static final Opt<Path> ETCD_KEY =
      Opt.value("--etcd-key", "FILE", Options::parseReadableFile)
          .env("ETCDCTL_KEY")
          .help("PEM (PKCS#8) key of --etcd-cert");

  public static final Opt<String[]> ETCD_USER =
      Opt.value("--etcd-user", "NAME", Options::parseUser)
          .env("ETCDCTL_USER")
          .help("etcd user for auth; the environment variable may be user:password as etcdctl's");

  public static final Opt<Path> ETCD_PASSWORD_FILE =
      Opt.value("--etcd-password-file", "FILE", Options::parseReadableFile)
          .help("file holding the etcd user's password (or env ETCDCTL_PASSWORD)");

  /** Environment variables that hold etcd's password itself. */
  public static final List<String> ETCD_PASSWORD_ENV = List.of("ETCDCTL_PASSWORD");

  // --- the Redis group and this instance

  public static final Opt<String> MASTER_NAME =
      Opt.value("--master-name", "NAME", Options::parseName)
          .byDefault("proposalsapp-redis")
          .env("REGISTRAR_MASTER_NAME")
          .help("Sentinel master name");

  public static final Opt<String> DC =
      Opt.value("--dc", "NAME", Options::parseName)
          .env("REGISTRAR_DC", "NOMAD_DC")
          .help("datacenter, required by run, exec, register, check and route");

  public static final Opt<String> ID =
      Opt.value("--id", "ID", Options::parseName)
          .env("REGISTRAR_ID")
          .help("instance id; default <dc>-<announce host>-<announce port>");

  // --- Redis

  public static final Opt<HostPort> REDIS =
      Opt.value("--redis", "HOST:PORT", HostPort::parse)
          .byDefault("127.0.0.1:6379")
          .env("REGISTRAR_REDIS")
          .help("the Redis this agent watches");

  public static final Opt<HostPort> ANNOUNCE =
      Opt.value("--announce", "HOST:PORT", HostPort::parse)
          .env("REGISTRAR_ANNOUNCE")
          .help("address published for clients; default the --redis address");

  public static final Opt<String> REDIS_USER =
      Opt.value("--redis-user", "NAME", Options::parseAclUser)
          .env("REGISTRAR_REDIS_USER")
          .help("Redis ACL user; default Redis's default user");

  public static final Opt<Path> REDIS_PASSWORD_FILE =
      Opt.value("--redis-password-file", "FILE", Options::parseReadableFile)
          .help(
              "file holding the Redis password (or env REGISTRAR_REDIS_PASSWORD, then REDISCLI_AUTH)");

  /** Environment variables that hold the Redis password itself. */
  public static final List<String> REDIS_PASSWORD_ENV =
      List.of("REGISTRAR_REDIS_PASSWORD", "REDISCLI_AUTH");

  public static final Opt<Boolean> REDIS_TLS =
      Opt.toggle("--redis-tls", false).env("REGISTRAR_REDIS_TLS").help("speak TLS to Redis");

  public static final Opt<Path> REDIS_CACERT =
      Opt.value("--redis-cacert", "FILE", Options::parseReadableFile)
          .env("REGISTRAR_REDIS_CACERT")
          .help("PEM CA that signs Redis's certificate, with --redis-tls; default the JVM's CAs");

  public static final Opt<Path> REDIS_CERT =
      Opt.value("--redis-cert", "FILE", Options::parseReadableFile)
          .env("REGISTRAR_REDIS_CERT")
          .help("PEM client certificate for Redis, with --redis-tls");

  public static final Opt<Path> REDIS_KEY =
      Opt.value("--redis-key", "FILE", Options::parseReadableFile)
          .env("REGISTRAR_REDIS_KEY")
          .help("PEM (PKCS#8) key of --redis-cert");

  // --- Sentinel

  public static final Opt<List<HostPort>> SENTINELS =
      Opt.value("--sentinels", "HOST:PORT,...", Options::parseAddresses)
          .byDefault("127.0.0.1:26379")
          .env("REGISTRAR_SENTINELS")
          .help("Sentinels to ask");

  public static final Opt<Integer> SENTINEL_QUORUM =
      Opt.value("--sentinel-quorum", "N", v -> parseInt(v, 1, 64))
          .env("REGISTRAR_SENTINEL_QUORUM")
          .help("Sentinels that must name the same master; default a majority");

  public static final Opt<Boolean> REQUIRE_SENTINEL_MAJORITY =
      Opt.toggle("--require-sentinel-majority", true)
          .env("REGISTRAR_REQUIRE_SENTINEL_MAJORITY")
          .help("never publish master without a Sentinel quorum");

  public static final Opt<Boolean> SENTINEL_EVENTS =
      Opt.toggle("--sentinel-events", true)
          .env("REGISTRAR_SENTINEL_EVENTS")
          .help("subscribe to Sentinel events; --no-sentinel-events polls only");

  public static final Opt<String> SENTINEL_USER =
      Opt.value("--sentinel-user", "NAME", Options::parseAclUser)
          .env("REGISTRAR_SENTINEL_USER")
          .help("Sentinel ACL user; default the default user");

  public static final Opt<Path> SENTINEL_PASSWORD_FILE =
      Opt.value("--sentinel-password-file", "FILE", Options::parseReadableFile)
          .help("file holding the Sentinel password (or env REGISTRAR_SENTINEL_PASSWORD)");

  /** Environment variables that hold the Sentinel password itself. */
  public static final List<String> SENTINEL_PASSWORD_ENV = List.of("REGISTRAR_SENTINEL_PASSWORD");

  public static final Opt<Boolean> SENTINEL_TLS =
      Opt.toggle("--sentinel-tls", false)
          .env("REGISTRAR_SENTINEL_TLS")
          .help("speak TLS to the Sentinels");

  public static final Opt<Path> SENTINEL_CACERT =
      Opt.value("--sentinel-cacert", "FILE", Options::parseReadableFile)
          .env("REGISTRAR_SENTINEL_CACERT")
          .help("PEM CA that signs the Sentinels' certificates, with --sentinel-tls");

  public static final Opt<Path> SENTINEL_CERT =
      Opt.value("--sentinel-cert", "FILE", Options::parseReadableFile)
          .env("REGISTRAR_SENTINEL_CERT")
          .help("PEM client certificate for the Sentinels, with --sentinel-tls");

  public static final Opt<Path> SENTINEL_KEY =
      Opt.value("--sentinel-key", "FILE", Options::parseReadableFile)
          .env("REGISTRAR_SENTINEL_KEY")
          .help("PEM (PKCS#8) key of --sentinel-cert");

  // --- timing

  /** etcd refuses a TTL below about 2 s; a record should not outlive its Redis by more than 1 h. */
  public static final Opt<Duration> LEASE_TTL =
      Opt.value("--lease-ttl", "DURATION", Options::parseLeaseTtl)
          .byDefault("30s")
          .env("REGISTRAR_LEASE_TTL")
          .help("etcd lease TTL, whole seconds, 2s-1h");

  public static final Opt<Duration> RESYNC_INTERVAL =
      Opt.value("--resync-interval", "DURATION", Durations.within("100ms", "1h"))
          .byDefault("30s")
          .env("REGISTRAR_RESYNC_INTERVAL")
          .help("full compare of Redis and etcd, 100ms-1h");

  public static final Opt<Duration> POLL_INTERVAL =
      Opt.value("--poll-interval", "DURATION", Durations.within("10ms", "1m"))
          .byDefault("1s")
          .env("REGISTRAR_POLL_INTERVAL")
          .help("INFO replication poll, 10ms-1m");

  public static final Opt<Duration> DOWN_AFTER =
      Opt.value("--down-after", "DURATION", Durations.within("10ms", "1h"))
          .byDefault("3s")
          .env("REGISTRAR_DOWN_AFTER")
          .help("withdraw the record after Redis is unreachable this long, 10ms-1h");

  public static final Opt<Duration> SHUTDOWN_TIMEOUT =
      Opt.value("--shutdown-timeout", "DURATION", Durations.within("10ms", "1m"))
          .byDefault("2s")
          .env("REGISTRAR_SHUTDOWN_TIMEOUT")
          .help("bound on deregistering at SIGTERM, 10ms-1m");

  // --- exec

  public static final Opt<Duration> DRAIN_DELAY =
      Opt.value("--drain-delay", "DURATION", Durations.within("0s", "10m"))
          .byDefault("0s")
          .env("REGISTRAR_DRAIN_DELAY")
          .help("exec: pause between deregistering and stopping Redis, 0s-10m");

  public static final Opt<Duration> CHILD_TIMEOUT =
      Opt.value("--child-timeout", "DURATION", Durations.within("10ms", "1h"))
          .byDefault("10s")
          .env("REGISTRAR_CHILD_TIMEOUT")
          .help("exec: wait this long for Redis to stop before SIGKILL, 10ms-1h");

  // --- the write fence (issue 14)

  public static final Opt<Boolean> FENCE =
      Opt.toggle("--fence", false)
          .env("REGISTRAR_FENCE")
          .help(
              "run/exec: hold writes on this Redis while a Sentinel failover away from it is under"
                  + " way");

  public static final Opt<Duration> FENCE_TIMEOUT =
      Opt.value("--fence-timeout", "DURATION", Durations.within("100ms", "1m"))
          .byDefault("5s")
          .env("REGISTRAR_FENCE_TIMEOUT")
          .help(
              "run/exec: the longest writes are held by the fence, 100ms-1m; never 250ms or less"
                  + " before the Sentinels' down-after-milliseconds");

  // --- switchover

  public static final Opt<Duration> CATCH_UP_TIMEOUT =
      Opt.value("--catch-up-timeout", "DURATION", Durations.within("10ms", "1m"))
          .byDefault("2s")
          .help("switchover: how long the replicas may take to reach the master's offset, 10ms-1m");

  public static final Opt<Duration> FAILOVER_TIMEOUT =
      Opt.value("--failover-timeout", "DURATION", Durations.within("1s", "5m"))
          .byDefault("10s")
          .help("switchover: how long Sentinel may take until the master key moves, 1s-5m");

  // --- HTTP and logs

  public static final Opt<BindAddress> HTTP =
      Opt.value("--http", "HOST:PORT|off", Options::parseHttp)
          .byDefault("0.0.0.0:8008")
          .env("REGISTRAR_HTTP")
          .help("run/exec: serve role and health checks and /metrics here; port 0 picks one");

  public static final Opt<LogSettings.Format> LOG_FORMAT =
      Opt.value("--log-format", "text|json", LogSettings::parseFormat)
          .byDefault("text")
          .env("REGISTRAR_LOG_FORMAT")
          .help("log lines as text or one JSON object each");

  public static final Opt<String> LOG_LEVEL =
      Opt.value("--log-level", "LEVEL", LogSettings::parseLevel)
          .byDefault("info")
          .env("REGISTRAR_LOG_LEVEL")
          .help("trace, debug, info, warn, error or off");

  // --- route

  public static final Opt<Path> HAPROXY_SOCKET =
      Opt.value("--haproxy-socket", "PATH", Options::parseSocket)
          .env("ROUTE_HAPROXY_SOCKET")
          .help("HAProxy's stats socket, level admin; required");

  public static final Opt<HostPort> WRITE_BIND =
      Opt.value("--write-bind", "HOST:PORT", HostPort::parse)
          .byDefault("127.0.0.1:6380")
          .env("ROUTE_WRITE_BIND")
          .help("write listener, in the printed configuration");

  public static final Opt<HostPort> READ_BIND =
      Opt.value("--read-bind", "HOST:PORT", HostPort::parse)
          .byDefault("127.0.0.1:6381")
          .env("ROUTE_READ_BIND")
          .help("read listener, in the printed configuration");

  public static final Opt<Integer> LOCAL_WEIGHT =
      Opt.value("--local-weight", "N", v -> parseInt(v, 1, 256))
          .byDefault("10")
          .env("ROUTE_LOCAL_WEIGHT")
          .help("read weight of instances in --dc, 1-256");

  public static final Opt<Integer> REMOTE_WEIGHT =
      Opt.value("--remote-weight", "N", v -> parseInt(v, 1, 256))
          .byDefault("1")
          .env("ROUTE_REMOTE_WEIGHT")
          .help("read weight of other instances, 1-256");

  public static final Opt<Integer> SLOTS =
      Opt.value("--slots", "N", v -> parseInt(v, 2, HaproxySettings.MAX_SLOTS))
          .byDefault("8")
          .env("ROUTE_SLOTS")
          .help(
              "server slots per backend in the configuration, 2-256: at least the instances plus one");

  public static final Opt<BindAddress> ROUTE_HTTP =
      Opt.value("--http", "HOST:PORT|off", Options::parseHttp)
          .byDefault("0.0.0.0:8009")
          .env("ROUTE_HTTP")
          .help("serve /health, /status and /metrics here; port 0 picks one");

  // --- which command takes which

  static final List<Opt<?>> ETCD_OPTIONS =
      List.of(ETCD, PREFIX, ETCD_CACERT, ETCD_CERT, ETCD_KEY, ETCD_USER, ETCD_PASSWORD_FILE);

  static final List<Opt<?>> LOG_OPTIONS = List.of(LOG_FORMAT, LOG_LEVEL);

  /** The options of the agent's commands: run, exec, register, deregister, status, check. */
  public static final List<Opt<?>> AGENT =
      concat(
          ETCD_OPTIONS,
          List.of(MASTER_NAME, DC, ID),
          List.of(REDIS, ANNOUNCE, REDIS_USER, REDIS_PASSWORD_FILE),
          List.of(REDIS_TLS, REDIS_CACERT, REDIS_CERT, REDIS_KEY),
          List.of(SENTINELS, SENTINEL_QUORUM, REQUIRE_SENTINEL_MAJORITY, SENTINEL_EVENTS),
          List.of(SENTINEL_USER, SENTINEL_PASSWORD_FILE),
          List.of(SENTINEL_TLS, SENTINEL_CACERT, SENTINEL_CERT, SENTINEL_KEY),
          List.of(LEASE_TTL, RESYNC_INTERVAL, POLL_INTERVAL, DOWN_AFTER, SHUTDOWN_TIMEOUT),
          List.of(DRAIN_DELAY, CHILD_TIMEOUT),
          List.of(FENCE, FENCE_TIMEOUT),
          List.of(HTTP),
          LOG_OPTIONS);

  /** The options of {@code route}. */
  public static final List<Opt<?>> ROUTE =
      concat(
          ETCD_OPTIONS,
          List.of(MASTER_NAME, DC),
          List.of(HAPROXY_SOCKET, WRITE_BIND, READ_BIND, LOCAL_WEIGHT, REMOTE_WEIGHT, SLOTS),
          List.of(ROUTE_HTTP),
          LOG_OPTIONS);

  /** The options of {@code switchover}: the agent's, and its two bounds. */
  public static final List<Opt<?>> SWITCHOVER =
      concat(AGENT, List.of(CATCH_UP_TIMEOUT, FAILOVER_TIMEOUT));

  @SafeVarargs
  private static List<Opt<?>> concat(List<Opt<?>>... lists) {
    return Stream.of(lists).flatMap(List::stream).toList();
  }

  // --- checks shared by several options

  static String parseName(String v) {
    if (!NAME.matcher(v).matches() || v.equals(".") || v.equals("..")) {
      throw new IllegalArgumentException("use only A-Z a-z 0-9 . _ - (not . or ..)");
    }
    return v;
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

  /** A Redis ACL user name: printable, no spaces (Redis's own rule). */
  static String parseAclUser(String v) {
    if (v.isEmpty() || v.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
      throw new IllegalArgumentException("a user name is non-empty, without spaces or controls");
    }
    return v;
  }

  /** etcdctl's {@code user[:password]}: the name and the password, or null for none. */
  static String[] parseUser(String v) {
    int colon = v.indexOf(':');
    String user = colon < 0 ? v : v.substring(0, colon);
    String password = colon < 0 ? null : v.substring(colon + 1);
    parseAclUser(user);
    if (password != null && password.isEmpty()) {
      throw new IllegalArgumentException("the password after ':' is empty");
    }
    return new String[] {user, password};
  }

  static List<HostPort> parseAddresses(String v) {
    List<HostPort> out = new ArrayList<>();
    for (String part : v.split(",", -1)) {
      out.add(HostPort.parse(part));
    }
    if (out.stream().distinct().count() != out.size()) {
      throw new IllegalArgumentException("an address is listed twice");
    }
    return List.copyOf(out);
  }

  static Path parseReadableFile(String v) {
    if (v.isBlank() || v.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("not a path");
    }
    Path p = Path.of(v);
    if (!Files.exists(p)) {
      throw new IllegalArgumentException("no such file");
    }
    if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
      throw new IllegalArgumentException("not a readable file");
    }
    return p;
  }

  static Path parseSocket(String v) {
    if (v.isBlank() || v.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("not a path");
    }
    // sun_path holds 108 bytes with its terminating NUL
    if (v.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 107) {
      throw new IllegalArgumentException("a Unix socket path is at most 107 bytes");
    }
    return Path.of(v);
  }

  static Duration parseLeaseTtl(String v) {
    Duration d = Durations.within("2s", "1h").apply(v);
    if (d.toMillis() % 1000 != 0) {
      throw new IllegalArgumentException("etcd leases take whole seconds, 2s-1h");
    }
    return d;
  }

  static BindAddress parseHttp(String v) {
    return v.trim().equalsIgnoreCase("off") ? null : BindAddress.parse(v);
  }

  static int parseInt(String v, int min, int max) {
    if (!v.matches("[0-9]{1,9}")) {
      throw new IllegalArgumentException("not a number");
    }
    int n = Integer.parseInt(v);
    if (n < min || n > max) {
      throw new IllegalArgumentException("must be between " + min + " and " + max);
    }
    return n;
  }
}
