package com.proposalsapp.registrar.cli;

import com.proposalsapp.registrar.config.Settings;
import com.proposalsapp.registrar.runtime.Agent;
import com.proposalsapp.registrar.runtime.Signals;
import com.proposalsapp.registrar.runtime.StartupException;
import picocli.CommandLine.Command;

/** {@code run}: the sidecar daemon. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Observe Redis and the Sentinels, publish this instance to etcd on a lease kept alive,",
      "follow role changes, and deregister on SIGTERM/SIGINT. SIGHUP forces a full resync."
    })
final class RunCommand extends BaseCommand {

  @Override
  boolean needsDc() {
    return true;
  }

  @Override
  int run(Settings s) throws InterruptedException {
    try (Agent agent = Agent.create(s)) {
      Signals signals = Signals.install(agent::hangUp);
      agent.onLoopFailure(signals::requestStop);
      agent.start();
      signals.await();
      agent.stop();
      return agent.loopFailed() ? ExitCode.FAILURE : ExitCode.OK;
    } catch (StartupException e) {
      return fail(e.getMessage());
    }
  }
}
