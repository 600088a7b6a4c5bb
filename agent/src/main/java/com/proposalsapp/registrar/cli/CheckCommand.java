package com.proposalsapp.registrar.cli;

import com.proposalsapp.registrar.config.Settings;
import com.proposalsapp.registrar.core.Observation;
import com.proposalsapp.registrar.core.SentinelAnswer;
import com.proposalsapp.registrar.core.SentinelView;
import com.proposalsapp.registrar.core.Status;
import com.proposalsapp.registrar.core.TopologySource;
import com.proposalsapp.registrar.etcd.EtcdRegistry;
import com.proposalsapp.registrar.etcd.RecordJson;
import com.proposalsapp.registrar.runtime.Components;
import java.util.List;
import java.util.stream.Collectors;
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
    Status st;
    String key;
    try (TopologySource source = Components.source(s);
        EtcdRegistry registry = Components.registry(s, false)) {
      st = Components.reconciler(s, source, registry).check();
      key = registry.keyOf(s.id());
    }
    Observation obs = st.observation();
    SentinelView v = obs.sentinels();
    boolean redisOk = st.redisReachable();
    boolean sentinelsOk = v.reachable() >= SentinelView.majorityOf(v.known());
    line(
        "redis",
        redisOk
            ? s.redis().address()
                + " answered ("
                + (obs.redis().master()
                    ? "role:master"
                    : "role:replica of " + obs.redis().masterAddress())
                + ")"
            : obs.redisError());
    line(
        "sentinels",
        answered(v)
            + "; "
            + (v.mostNamed() == null
                ? "none named a master"
                : v.agreeing() + " name " + v.mostNamed() + " (epoch " + v.epoch() + ")")
            + (v.isConfirmed()
                ? ", confirmed"
                : ", not confirmed (quorum "
                    + (s.sentinel().quorum() > 0 ? s.sentinel().quorum() : "a majority")
                    + ")"));
    if (st.verdict() != null) {
      line("verdict", st.verdict().role().wire() + ": " + st.verdict().reason());
    } else {
      line(
          "verdict",
          "none: Redis did not answer; a running agent withdraws the record after --down-after");
    }
    boolean etcdOk = st.etcdReachable();
    if (etcdOk) {
      line("etcd", s.etcd().access().list() + " answered; " + describe(st));
      line("key", key);
    } else {
      line("etcd", st.registryError());
    }
    if (st.desired() != null) {
      line("record", RecordJson.encode(st.desired()));
    }
    out().flush();
    boolean ok = redisOk && sentinelsOk && etcdOk;
    int misconfigured = v.misconfigured().size();
    if (!ok) {
      err()
          .println(
              "redis-registrar: check failed:"
                  + (redisOk ? "" : " Redis unreachable;")
                  + (sentinelsOk ? "" : " no Sentinel majority named a master;")
                  + (misconfigured == 0 ? "" : " " + misconfigured + " Sentinels misconfigured;")
                  + (etcdOk ? "" : " etcd unreachable;"));
      err().flush();
    }
    return ok ? ExitCode.OK : ExitCode.FAILURE;
  }

  /**
   * "3/3 answered", then the Sentinels that answered with an error ("3 with errors: ...") and those
   * that did not answer ("1 unreachable: ..."), each with its error.
   */
  static String answered(SentinelView v) {
    StringBuilder b = new StringBuilder().append(v.responded()).append('/').append(v.known());
    b.append(" answered");
    List<SentinelAnswer> errors = v.misconfigured();
    if (!errors.isEmpty()) {
      b.append(", ").append(errors.size()).append(" with errors: ");
      b.append(errors.stream().map(SentinelAnswer::error).collect(Collectors.joining("; ")));
    }
    List<SentinelAnswer> down = v.answers().stream().filter(a -> !a.responded()).toList();
    if (!down.isEmpty()) {
      b.append(errors.isEmpty() ? ", " : "; ").append(down.size()).append(" unreachable: ");
      b.append(down.stream().map(SentinelAnswer::error).collect(Collectors.joining("; ")));
    }
    return b.toString();
  }

  private static String describe(Status st) {
    if (st.lease() == 0 && !st.published()) {
      return "no record published";
    }
    String lease = " (lease " + Long.toHexString(st.lease()) + ")";
    return st.published() ? "published record matches" + lease : "published record differs" + lease;
  }

  private void line(String label, String text) {
    out().printf("%-10s %s%n", label, text);
  }
}
