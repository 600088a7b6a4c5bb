package com.proposalsapp.registrar.cli;

import com.proposalsapp.registrar.config.Settings;
import com.proposalsapp.registrar.runtime.Agent;
import com.proposalsapp.registrar.runtime.RedisChild;
import com.proposalsapp.registrar.runtime.Signals;
import com.proposalsapp.registrar.runtime.StartupException;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

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
    RedisChild child;
    try {
      child = RedisChild.start(command);
    } catch (IOException e) {
      return fail("cannot start " + String.join(" ", command) + ": " + e.getMessage());
    }
    AtomicReference<Agent> created = new AtomicReference<>();
    Signals signals =
        Signals.install(
            () -> {
              child.forward("HUP");
              Agent a = created.get();
              if (a != null) {
                a.hangUp();
              }
            });
    child.stopOnExit(signals);
    try (Agent agent = Agent.create(s)) { // load and wire while Redis starts
      created.set(agent);
      agent.onLoopFailure(signals::requestStop);
      if (child.awaitPing(s, signals)) {
        agent.start();
      }
      signals.await();
      agent.stop(); // the HTTP checks keep answering 503 until Redis has stopped
      int status = child.stop(signals.received(), s);
      return agent.loopFailed() ? ExitCode.FAILURE : status;
    } catch (StartupException e) {
      child.stop("TERM", s);
      return fail(e.getMessage());
    }
  }
}
