package com.proposalsapp.registrar.it;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Starts external processes, runs short commands and sends signals; kills leftovers at JVM exit.
 */
final class Exec {
  private static final ProcessBuilder.Redirect NO_INPUT =
      ProcessBuilder.Redirect.from(new File("/dev/null"));
  private static final Set<Process> live = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> live.forEach(Process::destroyForcibly), "it-reaper"));
  }

  private Exec() {}

  /** Starts a process that is SIGKILLed at JVM exit if still running then. */
  static Process start(ProcessBuilder builder) {
    try {
      Process process = builder.redirectInput(NO_INPUT).start();
      live.add(process);
      process.onExit().thenRun(() -> live.remove(process));
      return process;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + builder.command(), e);
    }
  }

  /** Runs a command to completion, killing it and failing if it outlives the timeout. */
  static AgentProcess.Result run(Duration timeout, Map<String, String> env, List<String> command) {
    return run(timeout, env, command, null);
  }

  /** Runs a command to completion in {@code directory} (null for this JVM's). */
  static AgentProcess.Result run(
      Duration timeout, Map<String, String> env, List<String> command, Path directory) {
    try {
      File out = File.createTempFile("it-exec", ".out");
      File err = File.createTempFile("it-exec", ".err");
      try {
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out).redirectError(err);
        if (directory != null) {
          builder.directory(directory.toFile());
        }
        builder.environment().putAll(env);
        Process process = start(builder);
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly().waitFor();
          throw new IllegalStateException(command + " did not finish within " + timeout);
        }
        return new AgentProcess.Result(process.exitValue(), read(out.toPath()), read(err.toPath()));
      } finally {
        Files.deleteIfExists(out.toPath());
        Files.deleteIfExists(err.toPath());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + command, e);
    }
  }

  /** Sends a signal by name (for example "STOP", "CONT", "TERM", "HUP") with {@code kill -s}. */
  static void signal(long pid, String signal) {
    AgentProcess.Result result =
        run(Duration.ofSeconds(10), Map.of(), List.of("kill", "-s", signal, Long.toString(pid)));
    if (result.exitCode() != 0) {
      throw new IllegalStateException("kill -s " + signal + " " + pid + ": " + result.stderr());
    }
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }
}
