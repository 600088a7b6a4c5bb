package com.proposalsapp.registrar.config;

import com.proposalsapp.registrar.core.BindAddress;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Every setting of {@code redis-registrar route}, validated once; built from flags, then
 * environment, then defaults (each option is declared once, in {@link Options}).
 *
 * @param etcd where the records live
 * @param masterName the Sentinel master name, which names the group's keys
 * @param dc the datacenter the router runs in; null only for {@code --print-haproxy-config}
 * @param haproxy the HAProxy driven
 * @param http where {@code /health}, {@code /status} and {@code /metrics} are served; null for
 *     {@code --http off}
 * @param log how log lines are written
 * @param warnings what to log once logging is set up
 */
public record RouteSettings(
    EtcdSettings etcd,
    String masterName,
    String dc,
    HaproxySettings haproxy,
    BindAddress http,
    LogSettings log,
    List<String> warnings) {

  public RouteSettings {
    warnings = List.copyOf(warnings);
  }

  /**
   * Resolves and validates every setting.
   *
   * @param flags the options given on the command line; absent when not given
   * @param needDc whether {@code --dc} is required (it is, except to print the configuration)
   */
  public static RouteSettings resolve(
      Map<Opt<?>, String> flags, Function<String, String> env, boolean needDc)
      throws ConfigException {
    Resolver r = new Resolver(flags, env);
    EtcdSettings etcd = EtcdSettings.resolve(r);
    String masterName = r.get(Options.MASTER_NAME);
    HaproxySettings haproxy = HaproxySettings.resolve(r);
    BindAddress http = r.get(Options.ROUTE_HTTP);
    LogSettings log = LogSettings.resolve(r);
    String dc =
        needDc ? r.required(Options.DC, "the router's datacenter is required") : r.get(Options.DC);
    return new RouteSettings(etcd, masterName, dc, haproxy, http, log, r.warnings());
  }
}
