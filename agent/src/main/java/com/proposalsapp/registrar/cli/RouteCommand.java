package com.proposalsapp.registrar.cli;

import com.proposalsapp.registrar.config.ConfigException;
import com.proposalsapp.registrar.config.RouteSettings;
import com.proposalsapp.registrar.config.RouteSettings.Option;
import com.proposalsapp.registrar.core.Backoff;
import com.proposalsapp.registrar.core.RoutePolicy;
import com.proposalsapp.registrar.core.Router;
import com.proposalsapp.registrar.core.RouterLoop;
import com.proposalsapp.registrar.etcd.EtcdRegistry;
import com.proposalsapp.registrar.haproxy.HaproxyConfig;
import com.proposalsapp.registrar.haproxy.HaproxyRuntime;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import sun.misc.Signal;

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

  private static final Logger log = LoggerFactory.getLogger(RouteCommand.class);

  /** How often HAProxy is compared with the routes: a restarted HAProxy is caught within it. */
  static final Duration CHECK_INTERVAL = Duration.ofMillis(200);

  /** The longest pause between reads of etcd (the watch makes changes arrive at once). */
  static final Duration POLL_INTERVAL = Duration.ofSeconds(1);

  /** Reads of etcd while it is away. */
  static final Backoff RETRY = new Backoff(Duration.ofMillis(100), Duration.ofMillis(1000));

  /** Bound on one etcd read: a local etcd answers in milliseconds. */
  static final Duration ETCD_TIMEOUT = Duration.ofMillis(1000);

  /** Bound on one request to HAProxy's local socket. */
  static final Duration HAPROXY_TIMEOUT = Duration.ofMillis(1000);

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
    log.info(
        "routing dc={} etcd={} prefix={} master-name={} haproxy-socket={} weights local={}"
            + " remote={}",
        s.dc(),
        s.etcdList(),
        s.prefix(),
        s.masterName(),
        s.haproxySocket(),
        s.localWeight(),
        s.remoteWeight());
    EtcdRegistry registry =
        new EtcdRegistry(
            s.etcd(), s.prefix(), s.masterName(), Duration.ofSeconds(2), false, ETCD_TIMEOUT);
    HaproxyRuntime haproxy = new HaproxyRuntime(s.haproxySocket(), HAPROXY_TIMEOUT);
    Router router =
        new Router(
            registry,
            haproxy,
            new RoutePolicy(s.dc(), s.localWeight(), s.remoteWeight()),
            Clock.systemUTC());
    RouterLoop loop =
        new RouterLoop(router, new RouterLoop.Timing(CHECK_INTERVAL, POLL_INTERVAL, RETRY));
    CountDownLatch stop = new CountDownLatch(1);
    Signal.handle(new Signal("TERM"), sig -> stop.countDown());
    Signal.handle(new Signal("INT"), sig -> stop.countDown());
    Signal.handle(new Signal("HUP"), sig -> loop.registryChanged());
    registry.watchChanges(loop::registryChanged);
    Thread thread = new Thread(loop::run, "router-loop");
    thread.start();
    stop.await();
    // HAProxy keeps the routes as they are: stopping the router never cuts a connection.
    loop.stop();
    thread.join(Duration.ofSeconds(2).toMillis());
    haproxy.close();
    registry.close();
    log.info("stopped; HAProxy keeps the last routes applied");
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
    return RouteSettings.resolve(flags, parent.env, !printConfig);
  }

  private static void put(Map<Option, String> flags, Option o, String value) {
    if (value != null) {
      flags.put(o, value);
    }
  }
}
