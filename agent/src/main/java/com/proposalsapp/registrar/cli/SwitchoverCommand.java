package com.proposalsapp.registrar.cli;

import com.proposalsapp.registrar.config.ConfigException;
import com.proposalsapp.registrar.config.Opt;
import com.proposalsapp.registrar.config.Options;
import com.proposalsapp.registrar.config.Resolver;
import com.proposalsapp.registrar.config.Settings;
import com.proposalsapp.registrar.core.FailoverProbe;
import com.proposalsapp.registrar.core.FenceException;
import com.proposalsapp.registrar.core.HostPort;
import com.proposalsapp.registrar.core.MasterRecord;
import com.proposalsapp.registrar.core.SentinelView;
import com.proposalsapp.registrar.core.Switchover;
import com.proposalsapp.registrar.etcd.EtcdRegistry;
import com.proposalsapp.registrar.redis.KnownSentinels;
import com.proposalsapp.registrar.redis.RedisWriteHold;
import com.proposalsapp.registrar.redis.SentinelFailoverProbe;
import com.proposalsapp.registrar.runtime.Components;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code switchover}: a planned failover that loses no acknowledged write; wiring only. */
@Command(
    name = "switchover",
    mixinStandardHelpOptions = true,
    description = {
      "Planned switchover: hold writes on the master (CLIENT PAUSE WRITE), wait until every",
      "replica has its offset, SENTINEL FAILOVER, wait until the master key and the Sentinels",
      "name the new master, disconnect the old master's clients, release the writes. Any failure",
      "releases the writes. Exit 0 on success, 1 on failure."
    })
final class SwitchoverCommand extends BaseCommand {

  @CommandLine.Option(names = "--dry-run", description = "print the plan; change nothing")
  boolean dryRun;

  @Override
  public List<Opt<?>> options() {
    return Options.SWITCHOVER;
  }

  @Override
  boolean needsDc() {
    return false;
  }

  @Override
  int run(Settings s) throws ConfigException {
    Duration catchUp;
    Duration failover;
    try {
      Resolver r = new Resolver(Declared.given(spec, options()), parent.env);
      catchUp = r.get(Options.CATCH_UP_TIMEOUT);
      failover = r.get(Options.FAILOVER_TIMEOUT);
    } catch (ConfigException e) {
      err().println("redis-registrar: " + e.getMessage());
      err().flush();
      return ExitCode.USAGE;
    }
    Switchover switchover =
        new Switchover(
            new Switchover.Policy(catchUp, failover, Duration.ofMillis(20)),
            Clock.systemUTC(),
            line -> {
              out().println(line);
              out().flush();
            });
    try (SentinelFailoverProbe sentinels =
            new SentinelFailoverProbe(
                new KnownSentinels(s.sentinel().addresses()),
                s.masterName(),
                Components.sentinelClients(s, Components.REDIS_TIMEOUT));
        EtcdRegistry registry = Components.registry(s, false)) {
      HostPort master = agreedMaster(sentinels.read());
      if (master == null) {
        return fail("no Sentinel majority names one master of " + s.masterName());
      }
      try (RedisWriteHold hold = new RedisWriteHold(master, Components.redisClients(s))) {
        if (dryRun) {
          switchover.plan(master, hold.offsets()).forEach(out()::println);
          out().flush();
          return ExitCode.OK;
        }
        Switchover.Result r =
            switchover.run(
                master,
                hold,
                sentinels,
                () -> {
                  MasterRecord m = registry.view().master();
                  return m == null ? null : new HostPort(m.host(), m.port());
                },
                sentinels);
        return r.ok() ? ExitCode.OK : ExitCode.FAILURE;
      } catch (FenceException e) {
        return fail(e.getMessage());
      }
    }
  }

  private static HostPort agreedMaster(FailoverProbe.Reading r) {
    Map<HostPort, Long> votes =
        r.masters().stream()
            .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    return votes.entrySet().stream()
        .filter(e -> e.getValue() >= SentinelView.majorityOf(Math.max(r.reachable(), 1)))
        .map(Map.Entry::getKey)
        .findFirst()
        .orElse(null);
  }
}
