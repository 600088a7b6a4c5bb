package com.proposalsapp.registrar.core;

import java.time.Instant;

/**
 * The role this instance may be routed as, and why.
 *
 * @param role the routable role
 * @param reason one sentence an operator can read
 */
public record Verdict(Role role, String reason) {

  /**
   * Decides the role from what Redis says of itself and what the Sentinels say.
   *
   * @param requireMajority when true, a master that no Sentinel quorum confirms is {@code stale}
   */
  public static Verdict decide(
      Identity self, Replication redis, SentinelView sentinels, boolean requireMajority) {
    return decide(self, redis, sentinels, requireMajority, Endpoints.LITERAL);
  }

  /**
   * Decides the role as {@link #decide(Identity, Replication, SentinelView, boolean)} does, telling
   * addresses apart as {@code endpoints} do (a host name and its address are the same instance).
   */
  public static Verdict decide(
      Identity self,
      Replication redis,
      SentinelView sentinels,
      boolean requireMajority,
      Endpoints endpoints) {
    HostPort confirmed = sentinels.confirmed();
    String votes = sentinels.agreeing() + "/" + sentinels.known() + " Sentinels";
    if (redis.master()) {
      if (confirmed != null && self.is(confirmed, endpoints)) {
        return new Verdict(Role.MASTER, "INFO says master and " + votes + " confirm it");
      }
      if (confirmed != null) {
        return new Verdict(
            Role.STALE, "INFO says master but " + votes + " name " + confirmed + " as master");
      }
      HostPort named = sentinels.mostNamed();
      if (requireMajority || (named != null && !self.is(named, endpoints))) {
        return new Verdict(
            Role.STALE,
            "INFO says master but no Sentinel quorum confirms it ("
                + sentinels.reachable()
                + "/"
                + sentinels.known()
                + " reachable)");
      }
      return new Verdict(
          Role.MASTER, "INFO says master; no Sentinel quorum, majority not required");
    }
    if (!redis.linkUp() || redis.syncInProgress()) {
      return new Verdict(
          Role.SYNCING,
          "replica of "
              + redis.masterAddress()
              + (redis.linkUp() ? ", sync in progress" : ", link down"));
    }
    if (confirmed != null && !endpoints.same(confirmed, redis.masterAddress())) {
      return new Verdict(
          Role.SYNCING,
          "replica of " + redis.masterAddress() + " but " + votes + " name " + confirmed);
    }
    return new Verdict(
        Role.REPLICA,
        "replica of "
            + redis.masterAddress()
            + ", link up"
            + (confirmed == null ? ", master not confirmed by a Sentinel quorum" : ""));
  }

  /** The record to publish for this verdict. */
  public InstanceRecord record(
      Identity self, Replication redis, SentinelView sentinels, String agent, Instant since) {
    boolean follows = !redis.master();
    return new InstanceRecord(
        self.id(),
        self.masterName(),
        self.dc(),
        self.announce().host(),
        self.announce().port(),
        role,
        follows ? redis.masterAddress().host() : null,
        follows ? redis.masterAddress().port() : null,
        follows ? (redis.linkUp() ? "up" : "down") : null,
        SentinelSummary.of(sentinels),
        agent,
        since,
        self.http() == null ? null : self.http().toString());
  }
}
