package com.proposalsapp.registrar.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/** A real server process on a loopback port, with its own directory and log file. */
public abstract class ServerProcess implements AutoCloseable {
  static final String HOST = "127.0.0.1";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);
  private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(15);

  private final String name;
  private final String host;
  private final Path dir;
  private final int port;
  private final Path logFile;
  private Process process;
  private volatile boolean paused;

  protected ServerProcess(Path parentDir, String name) {
    this(parentDir, name, HOST);
  }

  /** A server listening on {@code host} (a loopback address, {@code ::1} for IPv6). */
  protected ServerProcess(Path parentDir, String name, String host) {
    this.name = name;
    this.host = host;
    this.dir = parentDir.resolve(name);
    this.port = Ports.free();
    this.logFile = dir.resolve(name + ".log");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The command line that runs the server in the foreground. */
  protected abstract List<String> command();

  /** Whether the server answers; may throw, which counts as "no". */
  protected abstract boolean probe() throws Exception;

  public String name() {
    return name;
  }

  public Path dir() {
    return dir;
  }

  public int port() {
    return port;
  }

  /** The address it listens on: 127.0.0.1 unless told otherwise. */
  public String host() {
    return host;
  }

  /** {@code host:port}, an IPv6 host in brackets. */
  public String address() {
    return hostPort(host, port);
  }

  /** {@code host:port}, an IPv6 host in brackets. */
  public static String hostPort(String host, int port) {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  public Path logFile() {
    return logFile;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  public boolean isPaused() {
    return paused;
  }

  /** Whether the process is alive and answers a probe right now. */
  public boolean isReady() {
    try {
      return isAlive() && probe();
    } catch (Exception e) {
      return false;
    }
  }

  /** Starts the process (its output appended to {@link #logFile()}) and waits until it answers. */
  protected final void start() {
    if (isAlive()) {
      throw new IllegalStateException(name + " is already running");
    }
    ProcessBuilder builder =
        new ProcessBuilder(command())
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    process = Exec.start(builder);
    paused = false;
    try {
      awaitReady();
    } catch (RuntimeException e) {
      kill();
      throw e;
    }
  }

  /** Waits (bounded) until the server answers, failing early with the log's tail if it exits. */
  public void awaitReady() {
    try {
      await(name + " ready")
          .atMost(READY_TIMEOUT)
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(50))
          .failFast(name + " exited", () -> !process.isAlive())
          .until(this::isReady);
    } catch (ConditionTimeoutException | TerminalFailureException e) {
      throw new IllegalStateException(e.getMessage() + "; log tail:\n" + logTail(), e);
    }
  }

  /** SIGKILLs the process and waits for it to exit. */
  public void kill() {
    if (process != null) {
      process.destroyForcibly();
      awaitExit();
    }
  }

  /** SIGTERMs the process (resuming it first if paused) and waits for it to exit. */
  public void stop() {
    if (isAlive()) {
      resume();
      process.destroy();
      awaitExit();
    }
  }

  /** SIGSTOPs the process: it keeps its sockets but stops answering. */
  public void pause() {
    Exec.signal(pid(), "STOP");
    paused = true;
  }

  /** SIGCONTs a paused process; use {@link #awaitReady()} to wait until it answers again. */
  public void resume() {
    if (paused && isAlive()) {
      Exec.signal(pid(), "CONT");
    }
    paused = false;
  }

  /**
   * Starts the server again on the same port with the same directory and config (killing it first
   * if running).
   */
  public void restart() {
    kill();
    start();
  }

  @Override
  public void close() {
    kill();
  }

  @Override
  public String toString() {
    return name + "@" + address();
  }

  private void awaitExit() {
    try {
      if (!process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(name + " did not exit within " + EXIT_TIMEOUT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for " + name + " to exit", e);
    }
    paused = false;
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }
}
