package com.proposalsapp.registrar.cli;

import com.proposalsapp.registrar.config.Settings;
import com.proposalsapp.registrar.core.Outcome;
import com.proposalsapp.registrar.core.Reconciler;
import com.proposalsapp.registrar.core.TopologySource;
import com.proposalsapp.registrar.etcd.EtcdRegistry;
import com.proposalsapp.registrar.etcd.RecordJson;
import com.proposalsapp.registrar.runtime.Components;
import picocli.CommandLine.Command;

/** {@code register}: one-shot publication on a fresh lease that is not kept alive. */
@Command(
    name = "register",
    mixinStandardHelpOptions = true,
    description = {
      "Observe now, write this instance's record on a fresh lease of --lease-ttl,",
      "print the JSON written and exit. The record expires with the lease unless an agent runs."
    })
final class RegisterCommand extends BaseCommand {

  @Override
  boolean needsDc() {
    return true;
  }

  @Override
  int run(Settings s) {
    try (TopologySource source = Components.source(s);
        EtcdRegistry registry = Components.registry(s, false)) {
      Reconciler reconciler = Components.reconciler(s, source, registry);
      Outcome outcome = reconciler.reconcile(true);
      if (outcome.redisError() != null) {
        return fail(outcome.redisError());
      }
      if (outcome.registryError() != null) {
        return fail(outcome.registryError());
      }
      out().println(RecordJson.encode(reconciler.desired()));
      out().flush();
      return ExitCode.OK;
    }
  }
}
