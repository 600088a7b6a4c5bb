package com.proposalsapp.registrar.config;

import com.proposalsapp.registrar.core.BindAddress;
import com.proposalsapp.registrar.core.HostPort;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Every setting of {@code redis-registrar route}, validated once; built from flags, then
 * environment, then defaults.
 *
 * @param dc the datacenter the router runs in; null only for {@code --print-haproxy-config}
 * @param haproxySocket HAProxy's stats socket (level admin)
 * @param slots server slots per backend in the HAProxy configuration
 * @param http where {@code /health}, {@code /status} and {@code /metrics} are served; null for
 *     {@code --http off}
 */
public record RouteSettings(
    List<URI> etcd,
    String prefix,
    String masterName,
    String dc,
    Path haproxySocket,
    HostPort writeBind,
    HostPort readBind,
    int localWeight,
    int remoteWeight,
    int slots,
    BindAddress http) {

  /** The most slots a backend may have: plenty for a Redis group, and a bounded config. */
  public static final int MAX_SLOTS = 256;

  /** One option of {@code route}: its flag, its default, and the environment variables read. */
  public enum Option implements Resolver.Spec {
    ETCD(Settings.Option.ETCD),
    PREFIX(Settings.Option.PREFIX),
    MASTER_NAME(Settings.Option.MASTER_NAME),
    DC(Settings.Option.DC),
    HAPROXY_SOCKET("--haproxy-socket", null, "ROUTE_HAPROXY_SOCKET"),
    WRITE_BIND("--write-bind", "127.0.0.1:6380", "ROUTE_WRITE_BIND"),
    READ_BIND("--read-bind", "127.0.0.1:6381", "ROUTE_READ_BIND"),
    LOCAL_WEIGHT("--local-weight", "10", "ROUTE_LOCAL_WEIGHT"),
    REMOTE_WEIGHT("--remote-weight", "1", "ROUTE_REMOTE_WEIGHT"),
    SLOTS("--slots", "8", "ROUTE_SLOTS"),
    HTTP("--http", "0.0.0.0:8009", "ROUTE_HTTP");

    private final String flag;
    private final String defaultValue;
    private final List<String> env;

    Option(Settings.Option same) {
      this(same.flag, same.defaultValue, same.env.toArray(String[]::new));
    }

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

  /**
   * Resolves and validates every setting.
   *
   * @param flags the options given on the command line; absent when not given
   * @param needDc whether {@code --dc} is required (it is, except to print the configuration)
   */
  public static RouteSettings resolve(
      Map<Option, String> flags, Function<String, String> env, boolean needDc)
      throws ConfigException {
    Resolver<Option> r = new Resolver<>(flags, env);
    List<URI> etcd = r.get(Option.ETCD, Settings::parseEndpoints);
    String prefix = r.get(Option.PREFIX, Settings::parsePrefix);
    String masterName = r.get(Option.MASTER_NAME, Settings::parseName);
    String dc = r.present(Option.DC) ? r.get(Option.DC, Settings::parseName) : null;
    if (!r.present(Option.HAPROXY_SOCKET)) {
      throw new ConfigException(
          "missing --haproxy-socket: the path of HAProxy's stats socket is required"
              + " (flag --haproxy-socket, or ROUTE_HAPROXY_SOCKET)");
    }
    Path socket = r.get(Option.HAPROXY_SOCKET, RouteSettings::parseSocket);
    HostPort writeBind = r.get(Option.WRITE_BIND, HostPort::parse);
    HostPort readBind = r.get(Option.READ_BIND, HostPort::parse);
    int localWeight = r.get(Option.LOCAL_WEIGHT, v -> parseInt(v, 1, 256));
    int remoteWeight = r.get(Option.REMOTE_WEIGHT, v -> parseInt(v, 1, 256));
    int slots = r.get(Option.SLOTS, v -> parseInt(v, 2, MAX_SLOTS));
    BindAddress http = r.get(Option.HTTP, Settings::parseHttp);
    if (writeBind.equals(readBind)) {
      throw new ConfigException(
          "invalid value '"
              + readBind
              + "' for --read-bind: it is the --write-bind address; reads and writes need a"
              + " port each");
    }
    if (dc == null && needDc) {
      throw new ConfigException(
          "missing --dc: the router's datacenter is required (flag --dc, or REGISTRAR_DC or"
              + " NOMAD_DC)");
    }
    return new RouteSettings(
        etcd,
        prefix,
        masterName,
        dc,
        socket,
        writeBind,
        readBind,
        localWeight,
        remoteWeight,
        slots,
        http);
  }

  /** The etcd endpoints as the comma list etcdctl takes. */
  public String etcdList() {
    return String.join(",", etcd.stream().map(URI::toString).toList());
  }

  private static Path parseSocket(String v) {
    if (v.isBlank() || v.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("not a path");
    }
    // sun_path holds 108 bytes with its terminating NUL
    if (v.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 107) {
      throw new IllegalArgumentException("a Unix socket path is at most 107 bytes");
    }
    return Path.of(v);
  }

  private static int parseInt(String v, int min, int max) {
    int n;
    try {
      n = Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a number");
    }
    if (n < min || n > max) {
      throw new IllegalArgumentException("must be between " + min + " and " + max);
    }
    return n;
  }
}
