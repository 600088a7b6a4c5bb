package com.proposalsapp.registrar.cli;

import com.proposalsapp.registrar.config.ConfigException;
import com.proposalsapp.registrar.config.Opt;
import com.proposalsapp.registrar.config.Options;
import com.proposalsapp.registrar.config.RouteSettings;
import com.proposalsapp.registrar.haproxy.HaproxyConfig;
import com.proposalsapp.registrar.runtime.Logging;
import com.proposalsapp.registrar.runtime.RouterDaemon;
import com.proposalsapp.registrar.runtime.Signals;
import com.proposalsapp.registrar.runtime.StartupException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code route}: keeps a local HAProxy in step with the records, through its Runtime API. */
@Command(
    name = "route",
    mixinStandardHelpOptions = true,
    description = {
      "Watch <prefix>/<master-name>/ in etcd and keep the local HAProxy's two",
      "listeners in step through its stats socket, without reloads: the write",
      "listener routes to the confirmed master alone, the read listener to the",
      "master and the replicas in sync, local ones first.",
      "--print-haproxy-config prints the HAProxy configuration this drives."
    })
final class RouteCommand implements Callable<Integer>, Declared.Command {

  @CommandLine.ParentCommand RegistrarCommand parent;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

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
      out.print(
          HaproxyConfig.render(
              s.haproxy().socket(),
              s.haproxy().writeBind(),
              s.haproxy().readBind(),
              s.haproxy().slots()));
      out.flush();
      return ExitCode.OK;
    }
    return route(s);
  }

  private int route(RouteSettings s) throws InterruptedException {
    Logging.configure(s.log());
    Logging.warn(s.warnings());
    try (RouterDaemon daemon = RouterDaemon.create(s)) {
      Signals signals = Signals.install(daemon::hangUp);
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

  @Override
  public List<Opt<?>> options() {
    return Options.ROUTE;
  }

  private RouteSettings settings() throws ConfigException {
    return RouteSettings.resolve(Declared.given(spec, options()), parent.env, !printConfig);
  }
}
