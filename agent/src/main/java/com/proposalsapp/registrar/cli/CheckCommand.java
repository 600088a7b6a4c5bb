package com.proposalsapp.registrar.cli;

import com.proposalsapp.registrar.config.Settings;
import com.proposalsapp.registrar.core.Identity;
import com.proposalsapp.registrar.core.InstanceRecord;
import com.proposalsapp.registrar.core.Observation;
import com.proposalsapp.registrar.core.Published;
import com.proposalsapp.registrar.core.RegistryException;
import com.proposalsapp.registrar.core.SentinelView;
import com.proposalsapp.registrar.core.TopologySource;
import com.proposalsapp.registrar.core.Verdict;
import com.proposalsapp.registrar.etcd.EtcdRegistry;
import com.proposalsapp.registrar.etcd.RecordJson;
import com.proposalsapp.registrar.runtime.Components;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import picocli.CommandLine.Command;

/** {@code check}: what the agent would publish, and whether it could; writes nothing. */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = {
      "Observe and print the verdict and the record that would be written, and whether etcd",
      "answers. Writes nothing. Exit 0 only if Redis, a Sentinel majority and etcd all answered."
    })
final class CheckCommand extends BaseCommand {

  @Override
  boolean needsDc() {
    return true;
  }

  @Override
  int run(Settings s) {
    Identity self = Components.identity(s);
    Observation obs;
    try (TopologySource source = Components.source(s)) {
      obs = source.observe();
    }
    SentinelView v = obs.sentinels();
    boolean redisOk = obs.redisReachable();
    boolean sentinelsOk = v.reachable() >= SentinelView.majorityOf(v.known());
    line(
        "redis",
        redisOk
            ? s.redis()
                + " answered ("
                + (obs.redis().master()
                    ? "role:master"
                    : "role:replica of " + obs.redis().masterAddress())
                + ")"
            : obs.redisError());
    line(
        "sentinels",
        v.reachable()
            + "/"
            + v.known()
            + " answered; "
            + (v.mostNamed() == null
                ? "none named a master"
                : v.agreeing() + " name " + v.mostNamed() + " (epoch " + v.epoch() + ")")
            + (v.isConfirmed()
                ? ", confirmed"
                : ", not confirmed (quorum "
                    + (s.sentinelQuorum() > 0 ? s.sentinelQuorum() : "a majority")
                    + ")"));
    InstanceRecord wouldWrite = null;
    if (redisOk) {
      Verdict verdict = Verdict.decide(self, obs.redis(), v, s.requireSentinelMajority());
      line("verdict", verdict.role().wire() + ": " + verdict.reason());
      wouldWrite =
          verdict.record(
              self,
              obs.redis(),
              v,
              Components.AGENT,
              Instant.now().truncatedTo(ChronoUnit.SECONDS));
    } else {
      line(
          "verdict",
          "none: Redis did not answer; a running agent withdraws the record after --down-after");
    }
    boolean etcdOk;
    try (EtcdRegistry registry = Components.registry(s, false)) {
      Optional<Published> current = registry.read(s.id());
      etcdOk = true;
      line("etcd", s.etcdList() + " answered; " + describe(current, wouldWrite));
      line("key", registry.keyOf(s.id()));
    } catch (RegistryException e) {
      etcdOk = false;
      line("etcd", e.getMessage());
    }
    if (wouldWrite != null) {
      line("record", RecordJson.encode(wouldWrite));
    }
    out().flush();
    boolean ok = redisOk && sentinelsOk && etcdOk;
    if (!ok) {
      err()
          .println(
              "redis-registrar: check failed:"
                  + (redisOk ? "" : " Redis unreachable;")
                  + (sentinelsOk ? "" : " no Sentinel majority reachable;")
                  + (etcdOk ? "" : " etcd unreachable;"));
      err().flush();
    }
    return ok ? ExitCode.OK : ExitCode.FAILURE;
  }

  private static String describe(Optional<Published> current, InstanceRecord wouldWrite) {
    if (current.isEmpty()) {
      return "no record published";
    }
    Published p = current.get();
    if (!p.valid()) {
      return "the published value is not a valid record";
    }
    if (wouldWrite != null && p.record().withSince(wouldWrite.since()).equals(wouldWrite)) {
      return "published record matches (lease " + Long.toHexString(p.lease()) + ")";
    }
    return "published record differs: role "
        + p.record().role().wire()
        + " (lease "
        + Long.toHexString(p.lease())
        + ")";
  }

  private void line(String label, String text) {
    out().printf("%-10s %s%n", label, text);
  }
}
