package com.proposalsapp.registrar.cli;

import com.proposalsapp.registrar.config.Durations;
import com.proposalsapp.registrar.config.Settings;
import com.proposalsapp.registrar.core.AgentLoop;
import com.proposalsapp.registrar.core.Backoff;
import com.proposalsapp.registrar.core.Reconciler;
import com.proposalsapp.registrar.core.TopologySource;
import com.proposalsapp.registrar.etcd.EtcdRegistry;
import com.proposalsapp.registrar.redis.KnownSentinels;
import com.proposalsapp.registrar.redis.SentinelEvents;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import sun.misc.Signal;

/** {@code run}: the sidecar daemon. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Observe Redis and the Sentinels, publish this instance to etcd on a lease kept alive,",
      "follow role changes, and deregister on SIGTERM/SIGINT. SIGHUP forces a full resync."
    })
final class RunCommand extends BaseCommand {

  private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

  /** Retries while a server is down: fast at first, never slower than this cap. */
  static final Backoff RETRY = new Backoff(Duration.ofMillis(100), Duration.ofMillis(1600));

  @Override
  boolean needsDc() {
    return true;
  }

  @Override
  int run(Settings s) throws Exception {
    KnownSentinels sentinels = new KnownSentinels(s.sentinels());
    try (TopologySource source = Components.source(s, sentinels);
        SentinelEvents events = Components.events(s, sentinels);
        EtcdRegistry registry = Components.registry(s, true)) {
      Reconciler reconciler = Components.reconciler(s, source, registry);
      AgentLoop loop =
          new AgentLoop(
              reconciler,
              new AgentLoop.Timing(s.pollInterval(), s.resyncInterval(), RETRY),
              Clock.systemUTC());
      registry.onLeaseLost(loop::wake);
      registry.watchChanges(loop::wake);
      if (s.sentinelEvents()) {
        events.start(loop::wake);
      }
      Signal.handle(new Signal("TERM"), sig -> loop.stop());
      Signal.handle(new Signal("INT"), sig -> loop.stop());
      Signal.handle(new Signal("HUP"), sig -> loop.resyncNow());
      log.info(
          "starting id={} dc={} redis={} announce={} etcd={} prefix={} master-name={} lease-ttl={} poll={} sentinel-events={}",
          s.id(),
          s.dc(),
          s.redis(),
          s.announce(),
          s.etcdList(),
          s.prefix(),
          s.masterName(),
          Durations.format(s.leaseTtl()),
          Durations.format(s.pollInterval()),
          s.sentinelEvents());
      loop.run();
      deregister(reconciler, s.shutdownTimeout());
    }
    return ExitCode.OK;
  }

  /** Deregisters within {@code timeout}; past it the record is left to expire with its lease. */
  private static void deregister(Reconciler reconciler, Duration timeout) {
    CompletableFuture<Void> done =
        CompletableFuture.runAsync(
            () -> {
              try {
                reconciler.deregister();
              } catch (Exception e) {
                throw new IllegalStateException(e.getMessage(), e);
              }
            });
    try {
      done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      log.warn(
          "could not deregister within {}: etcd did not answer; the record expires with its lease",
          Durations.format(timeout));
    } catch (ExecutionException e) {
      log.warn(
          "could not deregister: {}; the record expires with its lease", e.getCause().getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
