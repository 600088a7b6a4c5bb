package com.proposalsapp.registrar.runtime;

import com.proposalsapp.registrar.config.Durations;
import com.proposalsapp.registrar.config.Settings;
import com.proposalsapp.registrar.redis.RedisPing;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Redis as a child of the agent ({@code exec}): started, awaited, drained, signalled, reaped. */
public final class RedisChild {

  private static final Logger log = LoggerFactory.getLogger(RedisChild.class);

  private static final Duration PING_TIMEOUT = Duration.ofMillis(250);

  /** How often a Redis that does not answer PING yet is reported. */
  private static final Duration PING_PATIENCE = Duration.ofSeconds(10);

  private final List<String> command;
  private final Process process;

  private RedisChild(List<String> command, Process process) {
    this.command = command;
    this.process = process;
  }

  /** Starts {@code command} with the agent's standard streams. */
  public static RedisChild start(List<String> command) throws IOException {
    Process p = new ProcessBuilder(command).inheritIO().start();
    log.info("started {} pid={}", command.get(0), p.pid());
    return new RedisChild(List.copyOf(command), p);
  }

  /** Asks {@code signals} to stop when the child exits. */
  public void stopOnExit(Signals signals) {
    process.onExit().thenRun(signals::requestStop);
  }

  /**
   * Polls PING until Redis answers, however long it loads its data, saying so every {@link
   * #PING_PATIENCE}; false if it exits or a stop is asked first.
   */
  public boolean awaitPing(Settings s, Signals signals) throws InterruptedException {
    long started = System.nanoTime();
    long nextReport = started + PING_PATIENCE.toNanos();
    while (process.isAlive() && !signals.stopping()) {
      if (RedisPing.answers(s.redis().address(), s.redis().access(), PING_TIMEOUT)) {
        return true;
      }
      if (System.nanoTime() - nextReport >= 0) {
        nextReport += PING_PATIENCE.toNanos();
        log.info(
            "{} pid={} has not answered PING on {} for {} s (still loading?); the record is"
                + " published once it does",
            command.get(0),
            process.pid(),
            s.redis().address(),
            TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
      }
      signals.await(100);
    }
    if (!process.isAlive()) {
      log.error(
          "{} exited with status {} before answering PING on {} (a Redis with 'daemonize yes'"
              + " leaves at once: run it in the foreground)",
          command.get(0),
          process.exitValue(),
          s.redis().address());
    }
    return false;
  }

  /**
   * Waits --drain-delay (or until the child exits), forwards {@code signal} (TERM when null), waits
   * --child-timeout, then SIGKILLs; returns the child's exit status.
   */
  public int stop(String signal, Settings s) throws InterruptedException {
    if (process.isAlive()) {
      drainAndSignal(signal == null ? "TERM" : signal, s);
    }
    int status = process.waitFor();
    log.info("{} exited with status {}", command.get(0), status);
    return status;
  }

  private void drainAndSignal(String signal, Settings s) throws InterruptedException {
    if (!s.exec().drainDelay().isZero()) {
      log.info(
          "draining for {} before stopping {}",
          Durations.format(s.exec().drainDelay()),
          command.get(0));
      process.waitFor(s.exec().drainDelay().toMillis(), TimeUnit.MILLISECONDS);
    }
    if (!process.isAlive()) {
      return;
    }
    log.info("stopping {} pid={} with SIG{}", command.get(0), process.pid(), signal);
    forward(signal);
    if (!process.waitFor(s.exec().childTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
      log.warn(
          "{} did not stop within {}; sending SIGKILL",
          command.get(0),
          Durations.format(s.exec().childTimeout()));
      process.destroyForcibly();
    }
  }

  /** Sends a signal to the child: Java can send only TERM and KILL itself, so ask the shell. */
  public void forward(String sig) {
    if (sig.equals("TERM")) {
      process.destroy();
      return;
    }
    try {
      new ProcessBuilder("sh", "-c", "kill -s " + sig + " " + process.pid())
          .inheritIO()
          .start()
          .waitFor();
    } catch (IOException e) {
      log.warn("could not forward SIG{} to pid {}: {}", sig, process.pid(), e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
