package com.proposalsapp.registrar.core;

import java.util.ArrayList;
import java.util.List;

/** One replication group as the core tests see it: this instance, its master, a stranger. */
final class Fixtures {

  /** The address this instance publishes. */
  static final HostPort SELF = HostPort.parse("10.0.1.5:6379");

  /** The address the agent itself connects to: the same server, seen from its sidecar. */
  static final HostPort SELF_LOCAL = HostPort.parse("127.0.0.1:6379");

  static final HostPort MASTER = HostPort.parse("10.0.2.7:6379");
  static final HostPort OTHER = HostPort.parse("10.0.3.9:6379");

  static final Identity IDENTITY =
      new Identity("dc1-10.0.1.5-6379", "proposalsapp-redis", "dc1", SELF, SELF_LOCAL);

  static final String AGENT = "redis-registrar test";

  private Fixtures() {}

  static Replication master() {
    return new Replication(true, null, false, false, 2, 1234);
  }

  static Replication replicaOf(HostPort master) {
    return new Replication(false, master, true, false, 0, 1234);
  }

  static Replication linkDown(HostPort master) {
    return new Replication(false, master, false, false, 0, 1234);
  }

  /** A replica loading the master's RDB: Redis reports the link down while it syncs. */
  static Replication syncing(HostPort master) {
    return new Replication(false, master, false, true, 0, 0);
  }

  /**
   * The view of one Sentinel per argument, each naming that master at config-epoch 1, or
   * unreachable where the argument is null; a majority must agree.
   */
  static SentinelView sentinels(HostPort... named) {
    List<SentinelAnswer> answers = new ArrayList<>();
    for (int i = 0; i < named.length; i++) {
      HostPort sentinel = new HostPort("10.0.0." + (i + 1), 26379);
      answers.add(
          named[i] == null
              ? SentinelAnswer.failed(sentinel, "Sentinel at " + sentinel + ": connection refused")
              : SentinelAnswer.named(sentinel, named[i], 1));
    }
    return SentinelView.of(answers, SentinelView.majorityOf(named.length));
  }
}
