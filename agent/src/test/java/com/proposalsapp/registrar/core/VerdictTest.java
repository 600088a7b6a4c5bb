package com.proposalsapp.registrar.core;

import static com.proposalsapp.registrar.core.Fixtures.AGENT;
import static com.proposalsapp.registrar.core.Fixtures.IDENTITY;
import static com.proposalsapp.registrar.core.Fixtures.MASTER;
import static com.proposalsapp.registrar.core.Fixtures.OTHER;
import static com.proposalsapp.registrar.core.Fixtures.SELF;
import static com.proposalsapp.registrar.core.Fixtures.SELF_LOCAL;
import static com.proposalsapp.registrar.core.Fixtures.linkDown;
import static com.proposalsapp.registrar.core.Fixtures.master;
import static com.proposalsapp.registrar.core.Fixtures.replicaOf;
import static com.proposalsapp.registrar.core.Fixtures.sentinels;
import static com.proposalsapp.registrar.core.Fixtures.syncing;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VerdictTest {

  private static final Instant SINCE = Instant.parse("2026-11-25T17:02:11Z");

  /**
   * The verdict table. INFO is {@code master} or {@code <state> <followed master>} with state one
   * of replica (link up), link-down, syncing (link down), syncing-link-up; each Sentinel names
   * self, local (this instance by the agent's address), master or other, or is down.
   */
  private static final String TABLE =
      """
      INFO                   | Sentinels            | majority | role
      master                 | self self self       | required | MASTER
      master                 | self self down       | required | MASTER
      master                 | self self other      | required | MASTER
      master                 | local local local    | required | MASTER
      master                 | master master master | required | STALE
      master                 | master master self   | optional | STALE
      master                 | self down down       | required | STALE
      master                 | self down down       | optional | MASTER
      master                 | down down down       | required | STALE
      master                 | down down down       | optional | MASTER
      master                 | master down down     | optional | STALE
      replica master         | master master master | required | REPLICA
      replica master         | master master other  | required | REPLICA
      replica master         | master down down     | required | REPLICA
      replica master         | down down down       | required | REPLICA
      link-down master       | master master master | required | SYNCING
      syncing master         | master master master | required | SYNCING
      syncing-link-up master | master master master | required | SYNCING
      replica other          | master master master | required | SYNCING
      link-down other        | master master master | required | SYNCING
      replica master         | self self self       | required | SYNCING
      """;

  @ParameterizedTest
  @CsvSource(delimiter = '|', useHeadersInDisplayName = true, textBlock = TABLE)
  void decidesTheRoutableRole(String info, String named, String majority, Role role) {
    Verdict v = Verdict.decide(IDENTITY, redis(info), view(named), required(majority));

    assertThat(v.role()).isEqualTo(role);
    assertThat(v.reason()).isNotBlank();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', useHeadersInDisplayName = true, textBlock = TABLE)
  void recordsWhatWasDecidedAndWhatWasSeen(String info, String named, String majority, Role role) {
    Replication redis = redis(info);
    SentinelView view = view(named);
    InstanceRecord r =
        Verdict.decide(IDENTITY, redis, view, required(majority))
            .record(IDENTITY, redis, view, AGENT, SINCE);

    assertThat(r.role()).isEqualTo(role);
    assertThat(r.address()).as("the announced address, not the local one").isEqualTo(SELF);
    assertThat(r.sentinel()).isEqualTo(SentinelSummary.of(view));
    if (redis.master()) {
      assertThat(r.masterHost()).isNull();
      assertThat(r.masterPort()).isNull();
      assertThat(r.link()).isNull();
    } else {
      assertThat(new HostPort(r.masterHost(), r.masterPort())).isEqualTo(redis.masterAddress());
      assertThat(r.link()).isEqualTo(redis.linkUp() ? "up" : "down");
    }
  }

  @Test
  void replicaRecordIsTheDocumentedExample() {
    SentinelView view = sentinels(MASTER, MASTER, MASTER);
    Verdict v = Verdict.decide(IDENTITY, replicaOf(MASTER), view, true);

    assertThat(v.record(IDENTITY, replicaOf(MASTER), view, AGENT, SINCE))
        .isEqualTo(
            new InstanceRecord(
                "dc1-10.0.1.5-6379",
                "proposalsapp-redis",
                "dc1",
                "10.0.1.5",
                6379,
                Role.REPLICA,
                "10.0.2.7",
                6379,
                "up",
                new SentinelSummary(true, "10.0.2.7:6379", 3, 3, 1),
                AGENT,
                SINCE));
  }

  @Test
  void replicaWithoutQuorumIsPublishedUnconfirmed() {
    SentinelView view = sentinels(MASTER, null, null);
    Verdict v = Verdict.decide(IDENTITY, replicaOf(MASTER), view, true);

    assertThat(v.record(IDENTITY, replicaOf(MASTER), view, AGENT, SINCE).sentinel())
        .isEqualTo(new SentinelSummary(false, "10.0.2.7:6379", 1, 1, 1));
    assertThat(v.reason()).contains("not confirmed");
  }

  @Test
  void staleReasonNamesTheMasterTheSentinelsConfirm() {
    Verdict v = Verdict.decide(IDENTITY, master(), sentinels(MASTER, MASTER, OTHER), true);

    assertThat(v.reason()).contains(MASTER.toString()).contains("2/3");
  }

  @Test
  void syncingReasonSaysWhy() {
    SentinelView view = sentinels(MASTER, MASTER, MASTER);

    assertThat(Verdict.decide(IDENTITY, linkDown(MASTER), view, true).reason())
        .contains("link down");
    assertThat(Verdict.decide(IDENTITY, replicaOf(OTHER), view, true).reason())
        .contains(OTHER.toString())
        .contains(MASTER.toString());
  }

  private static Replication redis(String info) {
    String[] words = info.split(" ");
    if (words[0].equals("master")) {
      return master();
    }
    HostPort followed = address(words[1]);
    return switch (words[0]) {
      case "replica" -> replicaOf(followed);
      case "link-down" -> linkDown(followed);
      case "syncing" -> syncing(followed);
      case "syncing-link-up" -> new Replication(false, followed, true, true, 0, 0);
      default -> throw new IllegalArgumentException("unknown INFO state in the table: " + info);
    };
  }

  private static SentinelView view(String named) {
    return sentinels(
        Stream.of(named.split(" ")).map(VerdictTest::address).toArray(HostPort[]::new));
  }

  /** The address a table word stands for; null for a Sentinel that is down. */
  private static HostPort address(String word) {
    return switch (word) {
      case "self" -> SELF;
      case "local" -> SELF_LOCAL;
      case "master" -> MASTER;
      case "other" -> OTHER;
      case "down" -> null;
      default -> throw new IllegalArgumentException("unknown address in the table: " + word);
    };
  }

  private static boolean required(String majority) {
    return majority.equals("required");
  }

  /** "redis-self" resolves to 10.0.1.5, as DNS or a hosts file would have it. */
  private static final Endpoints RESOLVING =
      (a, b) ->
          a.port() == b.port()
              && a.host()
                  .replace("redis-self", "10.0.1.5")
                  .equals(b.host().replace("redis-self", "10.0.1.5"));

  @Test
  void aMasterNamedByAnotherSpellingOfItsAddressIsConfirmedOnlyWhenComparedAsEndpoints() {
    HostPort byName = HostPort.parse("redis-self:6379");
    SentinelView view = sentinels(byName, byName, byName);

    assertThat(Verdict.decide(IDENTITY, master(), view, true, RESOLVING).role())
        .isEqualTo(Role.MASTER);
    assertThat(Verdict.decide(IDENTITY, master(), view, true).role())
        .as("compared as written: a name is not the address")
        .isEqualTo(Role.STALE);
  }

  @Test
  void aReplicaOfItsMasterByNameIsAReplicaOfTheConfirmedMaster() {
    HostPort masterByName = HostPort.parse("redis-self:6379");
    Identity replica =
        new Identity("dc2-10.0.2.7-6379", "proposalsapp-redis", "dc2", MASTER, MASTER);
    SentinelView view = sentinels(SELF, SELF, SELF);

    assertThat(Verdict.decide(replica, replicaOf(masterByName), view, true, RESOLVING).role())
        .isEqualTo(Role.REPLICA);
    assertThat(Verdict.decide(replica, replicaOf(masterByName), view, true).role())
        .isEqualTo(Role.SYNCING);
  }
}
