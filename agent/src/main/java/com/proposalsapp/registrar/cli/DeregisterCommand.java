package com.proposalsapp.registrar.cli;

import com.proposalsapp.registrar.config.ConfigException;
import com.proposalsapp.registrar.config.Settings;
import com.proposalsapp.registrar.core.Published;
import com.proposalsapp.registrar.core.RegistryException;
import com.proposalsapp.registrar.etcd.EtcdRegistry;
import com.proposalsapp.registrar.runtime.Components;
import java.util.Optional;
import picocli.CommandLine.Command;

/** {@code deregister}: removes one record, whoever wrote it. */
@Command(
    name = "deregister",
    mixinStandardHelpOptions = true,
    description = {
      "Remove the record of --id (default: this instance's id, from --dc and --announce)",
      "and print what was removed. A running agent restores its record within --resync-interval:",
      "stop the agent to take an instance out for good."
    })
final class DeregisterCommand extends BaseCommand {

  @Override
  boolean needsDc() {
    return false;
  }

  @Override
  int run(Settings s) throws ConfigException {
    if (s.id() == null) {
      err().println("redis-registrar: missing --id (or --dc, to derive this instance's id)");
      err().flush();
      return ExitCode.USAGE;
    }
    try (EtcdRegistry registry = Components.registry(s, false)) {
      Optional<Published> removed = registry.forceDelete(s.id());
      if (removed.isEmpty()) {
        err()
            .println(
                "redis-registrar: no record at " + registry.keyOf(s.id()) + "; nothing removed");
        err().flush();
        return ExitCode.OK;
      }
      out().println(removed.get().raw());
      out().flush();
      return ExitCode.OK;
    } catch (RegistryException e) {
      return fail(e.getMessage());
    }
  }
}
