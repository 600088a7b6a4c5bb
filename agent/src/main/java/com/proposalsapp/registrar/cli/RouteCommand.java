package com.proposalsapp.registrar.cli;

import com.proposalsapp.registrar.config.ConfigException;
import com.proposalsapp.registrar.config.RouteSettings;
import com.proposalsapp.registrar.config.RouteSettings.Option;
import com.proposalsapp.registrar.haproxy.HaproxyConfig;
import com.proposalsapp.registrar.runtime.RouterDaemon;
import com.proposalsapp.registrar.runtime.Signals;
import com.proposalsapp.registrar.runtime.StartupException;
import java.io.PrintWriter;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code route}: keeps a local HAProxy in step with the records, through its Runtime API. */
@Command(
    name = "route",
    mixinStandardHelpOptions = true,
    description = {
      "Watch <prefix>/<master-name>/ in etcd and keep the local HAProxy's two listeners in step",
      "through its stats socket, without reloads: the write listener routes to the confirmed",
      "master alone, the read listener to the master and the replicas in sync, local ones first.",
      "--print-haproxy-config prints the HAProxy configuration this drives, and exits."
    })
final class RouteCommand implements Callable<Integer> {

  @CommandLine.ParentCommand RegistrarCommand parent;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

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
      names = "--dc",
      paramLabel = "NAME",
      description = "this node's datacenter, read locally (env REGISTRAR_DC, then NOMAD_DC)")
  String dc;

  @CommandLine.Option(
      names = "--haproxy-socket",
      paramLabel = "PATH",
      description = "HAProxy's stats socket, level admin (env ROUTE_HAPROXY_SOCKET; required)")
  String haproxySocket;

  @CommandLine.Option(
      names = "--write-bind",
      paramLabel = "HOST:PORT",
      description =
          "write listener, in the printed configuration (env ROUTE_WRITE_BIND; default 127.0.0.1:6380)")
  String writeBind;

  @CommandLine.Option(
      names = "--read-bind",
      paramLabel = "HOST:PORT",
      description =
          "read listener, in the printed configuration (env ROUTE_READ_BIND; default 127.0.0.1:6381)")
  String readBind;

  @CommandLine.Option(
      names = "--local-weight",
      paramLabel = "N",
      description = "read weight of instances in --dc, 1-256 (env ROUTE_LOCAL_WEIGHT; default 10)")
  String localWeight;

  @CommandLine.Option(
      names = "--remote-weight",
      paramLabel = "N",
      description = "read weight of other instances, 1-256 (env ROUTE_REMOTE_WEIGHT; default 1)")
  String remoteWeight;

  @CommandLine.Option(
      names = "--slots",
      paramLabel = "N",
      description =
          "server slots per backend in the configuration, 2-256: at least the instances plus one"
              + " (env ROUTE_SLOTS; default 8)")
  String slots;

  @CommandLine.Option(
      names = "--http",
      paramLabel = "HOST:PORT|off",
      description =
          "serve /health, /status and /metrics here; port 0 picks one (env ROUTE_HTTP; default 0.0.0.0:8009)")
  String http;

  @CommandLine.Option(
      names = "--print-haproxy-config",
      description = "print the HAProxy configuration for these options to stdout and exit")
  boolean printConfig;

  @Override
  public Integer call() throws InterruptedException {
    RouteSettings s;
    try {
      s = settings();
    } catch (ConfigException e) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("redis-registrar: " + e.getMessage());
      err.flush();
      return ExitCode.USAGE;
    }
    if (printConfig) {
      PrintWriter out = spec.commandLine().getOut();
      out.print(HaproxyConfig.render(s.haproxySocket(), s.writeBind(), s.readBind(), s.slots()));
      out.flush();
      return ExitCode.OK;
    }
    return route(s);
  }

  private int route(RouteSettings s) throws InterruptedException {
    try (RouterDaemon daemon = RouterDaemon.create(s)) {
      Signals signals = Signals.install(daemon::readNow);
      daemon.start();
      signals.await();
      daemon.stop();
    } catch (StartupException e) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("redis-registrar: " + e.getMessage());
      err.flush();
      return ExitCode.FAILURE;
    }
    return ExitCode.OK;
  }

  private RouteSettings settings() throws ConfigException {
    Map<Option, String> flags = new EnumMap<>(Option.class);
    put(flags, Option.ETCD, etcd);
    put(flags, Option.PREFIX, prefix);
    put(flags, Option.MASTER_NAME, masterName);
    put(flags, Option.DC, dc);
    put(flags, Option.HAPROXY_SOCKET, haproxySocket);
    put(flags, Option.WRITE_BIND, writeBind);
    put(flags, Option.READ_BIND, readBind);
    put(flags, Option.LOCAL_WEIGHT, localWeight);
    put(flags, Option.REMOTE_WEIGHT, remoteWeight);
    put(flags, Option.SLOTS, slots);
    put(flags, Option.HTTP, http);
    return RouteSettings.resolve(flags, parent.env, !printConfig);
  }

  private static void put(Map<Option, String> flags, Option o, String value) {
    if (value != null) {
      flags.put(o, value);
    }
  }
}
