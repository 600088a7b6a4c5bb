package com.proposalsapp.registrar.it;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The agent running as a separate JVM ({@code java -jar}), its output captured to files and memory.
 */
public final class AgentProcess implements AutoCloseable {
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(5);

  /** A finished command's exit code and output. */
  public record Result(int exitCode, String stdout, String stderr) {}

  private final Process process;
  private final List<String> stdout = new CopyOnWriteArrayList<>();
  private final List<String> stderr = new CopyOnWriteArrayList<>();
  private final List<Thread> pumps = new ArrayList<>();

  private AgentProcess(Process process, Path dir, String name) {
    this.process = process;
    pumps.add(pump(process.getInputStream(), dir.resolve(name + ".stdout.log"), stdout));
    pumps.add(pump(process.getErrorStream(), dir.resolve(name + ".stderr.log"), stderr));
  }

  /**
   * Starts {@code java -jar <registrar.jar> args...} with {@code env} added to this JVM's
   * environment; output goes to {@code dir/name.stdout.log} and {@code dir/name.stderr.log}.
   */
  public static AgentProcess start(Path dir, String name, Map<String, String> env, String... args) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ProcessBuilder builder = new ProcessBuilder(command(args)).directory(dir.toFile());
    // Several agents run on one machine: each serves its HTTP checks on a free port unless told.
    builder.environment().put("REGISTRAR_HTTP", "127.0.0.1:0");
    builder.environment().putAll(env);
    return new AgentProcess(Exec.start(builder), dir, name);
  }

  /** Runs the agent to completion (killing it and failing after {@code timeout}). */
  public static Result run(Duration timeout, Map<String, String> env, String... args) {
    return Exec.run(timeout, env, command(args));
  }

  /**
   * The jar under test: system property {@code registrar.jar}, default {@code
   * target/redis-registrar.jar}.
   */
  public static Path jar() {
    return Path.of(System.getProperty("registrar.jar", "target/redis-registrar.jar"))
        .toAbsolutePath();
  }

  /**
   * {@code java [flags] -jar <jar> args...}; the flags are system property {@code
   * registrar.java.opts} (the benchmarks pass the sidecar's), none by default.
   */
  private static List<String> command(String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    String opts = System.getProperty("registrar.java.opts", "").strip();
    if (!opts.isEmpty()) {
      command.addAll(List.of(opts.split("\\s+")));
    }
    command.add("-jar");
    command.add(jar().toString());
    command.addAll(List.of(args));
    return command;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Lines printed to stdout so far (a live, read-only view). */
  public List<String> stdoutLines() {
    return Collections.unmodifiableList(stdout);
  }

  /** Lines printed to stderr so far (a live, read-only view). */
  public List<String> stderrLines() {
    return Collections.unmodifiableList(stderr);
  }

  /** Sends a signal by name, for example "TERM", "KILL" or "HUP". */
  public void signal(String signal) {
    Exec.signal(pid(), signal);
  }

  /**
   * Waits for the process to exit and its output to be read; fails if it is still running after
   * {@code timeout}.
   */
  public int waitForExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("agent " + pid() + " still running after " + timeout);
      }
      for (Thread pump : pumps) {
        pump.join(DRAIN_TIMEOUT.toMillis());
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for agent " + pid(), e);
    }
  }

  /** SIGKILLs the agent if it is still running. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      waitForExit(DRAIN_TIMEOUT);
    }
  }

  private static Thread pump(InputStream stream, Path file, List<String> lines) {
    Thread thread =
        new Thread(
            () -> {
              try (BufferedReader in =
                      new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8));
                  BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                  out.write(line);
                  out.newLine();
                  out.flush();
                  lines.add(line);
                }
              } catch (IOException e) {
                throw new UncheckedIOException("capturing agent output to " + file, e);
              }
            },
            "agent-output-" + file.getFileName());
    thread.setDaemon(true);
    thread.start();
    return thread;
  }
}
