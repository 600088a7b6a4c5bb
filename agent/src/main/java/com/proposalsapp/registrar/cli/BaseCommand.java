package com.proposalsapp.registrar.cli;

import com.proposalsapp.registrar.config.ConfigException;
import com.proposalsapp.registrar.config.Opt;
import com.proposalsapp.registrar.config.Options;
import com.proposalsapp.registrar.config.Settings;
import com.proposalsapp.registrar.runtime.Logging;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;

/** Validates the options before any connection is made, then runs the command. */
abstract class BaseCommand implements Callable<Integer>, Declared.Command {

  @CommandLine.ParentCommand RegistrarCommand parent;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public List<Opt<?>> options() {
    return Options.AGENT;
  }

  /** Whether the command needs {@code --dc}. */
  abstract boolean needsDc();

  /** Runs with validated settings and returns the exit code. */
  abstract int run(Settings settings) throws Exception;

  @Override
  public final Integer call() throws Exception {
    Settings settings;
    try {
      settings = Settings.resolve(Declared.given(spec, options()), parent.env, needsDc());
    } catch (ConfigException e) {
      err().println("redis-registrar: " + e.getMessage());
      err().flush();
      return ExitCode.USAGE;
    }
    Logging.configure(settings.log());
    Logging.warn(settings.warnings());
    return run(settings);
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  /** Reports a runtime failure in one line and returns {@link ExitCode#FAILURE}. */
  int fail(String message) {
    err().println("redis-registrar: " + message);
    err().flush();
    return ExitCode.FAILURE;
  }
}
