package com.proposalsapp.registrar.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code redis-registrar <command> [options]}. */
@Command(
    name = "redis-registrar",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description =
        "Publishes this Redis instance's address, role and datacenter to etcd on a lease.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:runtime failure (a server unreachable or refusing)",
      "2:usage or configuration error"
    })
public final class RegistrarCommand implements Runnable {

  /** The subcommands, in the order {@code --help} lists them. */
  private static final List<Class<?>> COMMANDS =
      List.of(
          RunCommand.class,
          ExecCommand.class,
          RegisterCommand.class,
          DeregisterCommand.class,
          StatusCommand.class,
          CheckCommand.class,
          RouteCommand.class,
          SwitchoverCommand.class,
          CommandLine.HelpCommand.class);

  final Function<String, String> env;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private RegistrarCommand(Function<String, String> env) {
    this.env = env;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(),
        "missing command (run, exec, register, deregister, status, check, route, switchover)");
  }

  /**
   * The subcommands to build for {@code args}: only the one named first, when it is one (so that a
   * start does not pay for building every other command's model: about 50 ms of a sidecar's start),
   * else all of them ({@code --help}, {@code help}, a mistyped name).
   */
  static List<Class<?>> commandsFor(String[] args) {
    if (args.length > 0) {
      for (Class<?> c : COMMANDS) {
        if (c != CommandLine.HelpCommand.class
            && c.getAnnotation(Command.class).name().equals(args[0])) {
          return List.of(c);
        }
      }
    }
    return COMMANDS;
  }

  /** Parses {@code args}, runs the command and returns the exit code. */
  public static int execute(String[] args, Function<String, String> env) {
    CommandLine cl = new CommandLine(new RegistrarCommand(env));
    for (Class<?> c : commandsFor(args)) {
      cl.addSubcommand(c);
    }
    for (CommandLine sub : cl.getSubcommands().values()) {
      if (sub.getCommand() instanceof Declared.Command c) {
        Declared.addTo(sub.getCommandSpec(), c.options());
      }
    }
    cl.setParameterExceptionHandler(
        (ex, a) -> {
          PrintWriter err = ex.getCommandLine().getErr();
          err.println(
              "redis-registrar: "
                  + ex.getMessage()
                  + " (see '"
                  + ex.getCommandLine().getCommandSpec().qualifiedName()
                  + " --help')");
          err.flush();
          return ExitCode.USAGE;
        });
    cl.setExecutionExceptionHandler(
        (ex, c, p) -> {
          c.getErr().println("redis-registrar: " + ex);
          c.getErr().flush();
          return ExitCode.FAILURE;
        });
    return cl.execute(args);
  }
}
