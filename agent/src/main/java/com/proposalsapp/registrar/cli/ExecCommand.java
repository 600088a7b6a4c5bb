package com.proposalsapp.registrar.cli;

import com.proposalsapp.registrar.config.Durations;
import com.proposalsapp.registrar.config.Settings;
import com.proposalsapp.registrar.redis.RedisPing;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import sun.misc.Signal;

/** {@code exec}: the Redis container's entrypoint, Redis as a child of the agent. */
@Command(
    name = "exec",
    mixinStandardHelpOptions = true,
    description = {
      "Start COMMAND (Redis) as a child, wait until it answers PING, then run the agent.",
      "SIGTERM/SIGINT: deregister, wait --drain-delay, forward the signal to Redis, wait up to",
      "--child-timeout, then SIGKILL. SIGHUP is forwarded. Exits with Redis's exit status.",
      "Example: redis-registrar exec --dc dc1 -- redis-server /etc/redis/redis.conf"
    })
final class ExecCommand extends BaseCommand {

  private static final Logger log = LoggerFactory.getLogger(ExecCommand.class);

  private static final Duration PING_TIMEOUT = Duration.ofMillis(250);

  /** How often a Redis that does not answer PING yet is reported. */
  private static final Duration PING_PATIENCE = Duration.ofSeconds(10);

  @Parameters(
      arity = "1..*",
      paramLabel = "COMMAND",
      description = "the Redis command line, after --")
  List<String> command;

  @Override
  boolean needsDc() {
    return true;
  }

  @Override
  int run(Settings s) throws InterruptedException {
    Process child;
    try {
      child = new ProcessBuilder(command).inheritIO().start();
    } catch (IOException e) {
      return fail("cannot start " + String.join(" ", command) + ": " + e.getMessage());
    }
    log.info("started {} pid={}", command.get(0), child.pid());
    AtomicReference<String> signal = new AtomicReference<>();
    CountDownLatch stop = new CountDownLatch(1);
    Signal.handle(new Signal("TERM"), sig -> stopOn("TERM", signal, stop));
    Signal.handle(new Signal("INT"), sig -> stopOn("INT", signal, stop));
    Signal.handle(new Signal("HUP"), sig -> forward(child, "HUP"));
    child.onExit().thenRun(stop::countDown);

    RunCommand.Agent agent = RunCommand.Agent.create(s); // load and wire while Redis starts
    if (awaitPing(s, child, stop)) {
      agent.start(s);
    } else if (!child.isAlive()) {
      log.error(
          "{} exited with status {} before answering PING on {} (a Redis with 'daemonize yes'"
              + " leaves at once: run it in the foreground)",
          command.get(0),
          child.exitValue(),
          s.redis());
    }
    stop.await();
    agent.stop(RunCommand.deadline(s), s.shutdownTimeout());
    if (child.isAlive()) {
      stopChild(child, signal.get(), s);
    }
    int status = child.waitFor();
    log.info("{} exited with status {}", command.get(0), status);
    return status;
  }

  /**
   * Polls PING until Redis answers, however long it loads its data, saying so every {@link
   * #PING_PATIENCE}; false if it exits or a stop is asked first.
   */
  private boolean awaitPing(Settings s, Process child, CountDownLatch stop)
      throws InterruptedException {
    String password = s.redisPassword() == null ? null : s.redisPassword().value();
    long started = System.nanoTime();
    long nextReport = started + PING_PATIENCE.toNanos();
    while (child.isAlive() && stop.getCount() > 0) {
      if (RedisPing.answers(s.redis(), password, PING_TIMEOUT)) {
        return true;
      }
      if (System.nanoTime() - nextReport >= 0) {
        nextReport += PING_PATIENCE.toNanos();
        log.info(
            "{} pid={} has not answered PING on {} for {} s (still loading?); the record is"
                + " published once it does",
            command.get(0),
            child.pid(),
            s.redis(),
            TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
      }
      stop.await(100, TimeUnit.MILLISECONDS);
    }
    return false;
  }

  private void stopChild(Process child, String signal, Settings s) throws InterruptedException {
    if (!s.drainDelay().isZero()) {
      log.info(
          "draining for {} before stopping {}", Durations.format(s.drainDelay()), command.get(0));
      child.waitFor(s.drainDelay().toMillis(), TimeUnit.MILLISECONDS);
    }
    if (!child.isAlive()) {
      return;
    }
    log.info("stopping {} pid={} with SIG{}", command.get(0), child.pid(), signal);
    forward(child, signal);
    if (!child.waitFor(s.childTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
      log.warn(
          "{} did not stop within {}; sending SIGKILL",
          command.get(0),
          Durations.format(s.childTimeout()));
      child.destroyForcibly();
    }
  }

  private static void stopOn(String sig, AtomicReference<String> signal, CountDownLatch stop) {
    signal.compareAndSet(null, sig);
    stop.countDown();
  }

  /** Sends a signal to the child: Java can send only TERM and KILL itself, so ask the shell. */
  private static void forward(Process child, String sig) {
    if (sig.equals("TERM")) {
      child.destroy();
      return;
    }
    try {
      new ProcessBuilder("sh", "-c", "kill -s " + sig + " " + child.pid())
          .inheritIO()
          .start()
          .waitFor();
    } catch (IOException e) {
      log.warn("could not forward SIG{} to pid {}: {}", sig, child.pid(), e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
