package com.proposalsapp.registrar.cli;

import com.proposalsapp.registrar.config.Durations;
import com.proposalsapp.registrar.config.Settings;
import com.proposalsapp.registrar.core.AgentLoop;
import com.proposalsapp.registrar.core.Backoff;
import com.proposalsapp.registrar.core.Reconciler;
import com.proposalsapp.registrar.core.RegistryException;
import com.proposalsapp.registrar.core.TopologySource;
import com.proposalsapp.registrar.etcd.EtcdRegistry;
import com.proposalsapp.registrar.redis.KnownSentinels;
import com.proposalsapp.registrar.redis.SentinelEvents;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
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
  static final Backoff RETRY = new Backoff(Duration.ofMillis(100), Duration.ofMillis(1000));

  /** Kept out of --shutdown-timeout for the JVM's own exit, so the process is gone within it. */
  static final Duration EXIT_RESERVE = Duration.ofMillis(500);

  @Override
  boolean needsDc() {
    return true;
  }

  @Override
  int run(Settings s) throws InterruptedException {
    Agent agent = Agent.create(s).start(s);
    CountDownLatch stop = new CountDownLatch(1);
    Signal.handle(new Signal("TERM"), sig -> stop.countDown());
    Signal.handle(new Signal("INT"), sig -> stop.countDown());
    Signal.handle(new Signal("HUP"), sig -> agent.loop.resyncNow());
    stop.await();
    agent.stop(deadline(s), s.shutdownTimeout());
    return ExitCode.OK;
  }

  /** When deregistration must be over for the process to exit within --shutdown-timeout. */
  static Instant deadline(Settings s) {
    Duration budget = s.shutdownTimeout().minus(EXIT_RESERVE);
    return Instant.now().plus(budget.compareTo(EXIT_RESERVE) < 0 ? EXIT_RESERVE : budget);
  }

  /** The running agent: adapters, reconciler and the loop on its own thread. */
  static final class Agent {
    final KnownSentinels sentinels;
    final TopologySource source;
    final SentinelEvents events;
    final EtcdRegistry registry;
    final Reconciler reconciler;
    final AgentLoop loop;
    final Thread thread;

    private Agent(Settings s) {
      sentinels = new KnownSentinels(s.sentinels());
      source = Components.source(s, sentinels);
      events = Components.events(s, sentinels);
      registry = Components.registry(s, true);
      reconciler = Components.reconciler(s, source, registry);
      loop =
          new AgentLoop(
              reconciler,
              new AgentLoop.Timing(s.pollInterval(), s.resyncInterval(), RETRY),
              Clock.systemUTC());
      thread = new Thread(loop::run, "agent-loop");
    }

    /** Builds the adapters (connecting nothing yet) and the loop. */
    static Agent create(Settings s) {
      return new Agent(s);
    }

    /** Starts the loop, the Sentinel subscriptions and the etcd watch. */
    Agent start(Settings s) {
      log.info(
          "starting id={} dc={} redis={} announce={} etcd={} prefix={} master-name={}"
              + " lease-ttl={} poll={} sentinel-events={}",
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
      registry.onLeaseLost(loop::wake);
      // Anything changed under the master name (our record deleted or overwritten, our lease
      // revoked, another agent's record): read etcd back now rather than at the next resync.
      registry.watchChanges(loop::resyncNow);
      if (s.sentinelEvents()) {
        events.start(loop::wake);
      }
      thread.start();
      registry.warmUp(); // concurrently with the first cycle: publishing is not delayed by it
      return this;
    }

    /**
     * Stops the loop, deregisters and closes, all before {@code deadline}; past it the record is
     * left to expire with its lease.
     */
    void stop(Instant deadline, Duration timeout) throws InterruptedException {
      loop.stop();
      thread.join(remaining(deadline));
      if (thread.isAlive()) {
        log.warn(
            "could not deregister within {}: etcd did not answer; the record expires with its lease",
            Durations.format(timeout));
        return;
      }
      Thread deregister =
          new Thread(
              () -> {
                try {
                  reconciler.deregister();
                } catch (RegistryException e) {
                  log.warn(
                      "could not deregister: {}; the record expires with its lease",
                      e.getMessage());
                }
              },
              "deregister");
      deregister.start();
      deregister.join(remaining(deadline));
      if (deregister.isAlive()) {
        log.warn(
            "could not deregister within {}: etcd did not answer; the record expires with its lease",
            Durations.format(timeout));
        return;
      }
      events.close();
      source.close();
      registry.close();
    }

    private static long remaining(Instant deadline) {
      return Math.max(1, Duration.between(Instant.now(), deadline).toMillis());
    }
  }
}
