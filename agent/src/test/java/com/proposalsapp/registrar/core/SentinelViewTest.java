package com.proposalsapp.registrar.core;

import static com.proposalsapp.registrar.core.Fixtures.MASTER;
import static com.proposalsapp.registrar.core.Fixtures.OTHER;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SentinelViewTest {

  private static final HostPort S1 = HostPort.parse("10.0.0.1:26379");
  private static final HostPort S2 = HostPort.parse("10.0.0.2:26379");
  private static final HostPort S3 = HostPort.parse("10.0.0.3:26379");
  private static final HostPort S4 = HostPort.parse("10.0.0.4:26379");

  @ParameterizedTest(name = "majority of {0} is {1}")
  @CsvSource({"1,1", "2,2", "3,2", "4,3", "5,3"})
  void majority(int known, int majority) {
    assertThat(SentinelView.majorityOf(known)).isEqualTo(majority);
  }

  @Test
  void allAgree() {
    SentinelView v =
        SentinelView.of(
            List.of(
                SentinelAnswer.named(S1, MASTER, 4),
                SentinelAnswer.named(S2, MASTER, 4),
                SentinelAnswer.named(S3, MASTER, 4)),
            2);

    assertThat(v)
        .usingRecursiveComparison()
        .ignoringFields("answers")
        .isEqualTo(new SentinelView(3, 3, MASTER, 3, MASTER, 4));
    assertThat(v.isConfirmed()).isTrue();
  }

  @Test
  void unreachableSentinelsAreKnownButNotReachable() {
    SentinelView v =
        SentinelView.of(
            List.of(
                SentinelAnswer.named(S1, MASTER, 4),
                SentinelAnswer.failed(S2, "Sentinel at 10.0.0.2:26379: connection refused"),
                SentinelAnswer.named(S3, MASTER, 4)),
            2);

    assertThat(v)
        .usingRecursiveComparison()
        .ignoringFields("answers")
        .isEqualTo(new SentinelView(3, 2, MASTER, 2, MASTER, 4));
  }

  @Test
  void belowQuorumNamesButDoesNotConfirm() {
    SentinelView v =
        SentinelView.of(
            List.of(
                SentinelAnswer.named(S1, MASTER, 4),
                SentinelAnswer.failed(S2, "timeout"),
                SentinelAnswer.failed(S3, "timeout")),
            2);

    assertThat(v.isConfirmed()).isFalse();
    assertThat(v.confirmed()).isNull();
    assertThat(v.mostNamed()).isEqualTo(MASTER);
    assertThat(v.agreeing()).isEqualTo(1);
    assertThat(v.reachable()).isEqualTo(1);
  }

  @Test
  void noneReachable() {
    SentinelView v =
        SentinelView.of(
            List.of(SentinelAnswer.failed(S1, "timeout"), SentinelAnswer.failed(S2, "timeout")), 2);

    assertThat(v)
        .usingRecursiveComparison()
        .ignoringFields("answers")
        .isEqualTo(new SentinelView(2, 0, null, 0, null, 0));
    assertThat(SentinelSummary.of(v)).isEqualTo(new SentinelSummary(false, null, 0, 0, 0));
  }

  @Test
  void majorityWinsOverADissenterWithANewerEpoch() {
    SentinelView v =
        SentinelView.of(
            List.of(
                SentinelAnswer.named(S1, MASTER, 5),
                SentinelAnswer.named(S2, MASTER, 7),
                SentinelAnswer.named(S3, OTHER, 9)),
            2);

    assertThat(v.confirmed()).isEqualTo(MASTER);
    assertThat(v.agreeing()).isEqualTo(2);
    assertThat(v.epoch())
        .as("the lowest epoch among those naming the confirmed master")
        .isEqualTo(5);
  }

  @Test
  void aLeaderThatAlreadyHasTheNewEpochDoesNotLendItToTheOldMaster() {
    // Mid-failover: the leader reports the new epoch 4 while all three still name the old master.
    SentinelView v =
        SentinelView.of(
            List.of(
                SentinelAnswer.named(S1, MASTER, 3),
                SentinelAnswer.named(S2, MASTER, 4),
                SentinelAnswer.named(S3, MASTER, 3)),
            2);

    assertThat(v.confirmed()).isEqualTo(MASTER);
    assertThat(v.epoch()).isEqualTo(3);
  }

  @Test
  void tieBelowQuorumConfirmsNothing() {
    SentinelView v = SentinelView.of(tie(3, 8), 3);

    assertThat(v.isConfirmed()).isFalse();
    assertThat(v.agreeing()).isEqualTo(2);
    assertThat(v.reachable()).isEqualTo(4);
  }

  @Test
  void tieAtQuorumConfirmsNothingAndPrefersTheNewerEpoch() {
    SentinelView masterNewer = SentinelView.of(tie(8, 3), 2);
    SentinelView otherNewer = SentinelView.of(tie(3, 8), 2);

    assertThat(masterNewer.confirmed()).as("two masters, each named by a quorum").isNull();
    assertThat(otherNewer.confirmed()).as("two masters, each named by a quorum").isNull();
    assertThat(masterNewer.mostNamed()).isEqualTo(MASTER);
    assertThat(otherNewer.mostNamed()).isEqualTo(OTHER);
  }

  @Test
  void summaryPrintsTheMasterAsHostPort() {
    SentinelView v =
        SentinelView.of(List.of(SentinelAnswer.named(S1, HostPort.parse("[fd00::7]:6379"), 1)), 1);

    assertThat(SentinelSummary.of(v))
        .isEqualTo(new SentinelSummary(true, "[fd00::7]:6379", 1, 1, 1));
  }

  /** Endpoints as a resolver sees them: "redis-a" is 10.0.2.7, "sentinel-a" is 10.0.0.1. */
  private static final Endpoints NAMES =
      (a, b) -> a.port() == b.port() && canonical(a.host()).equals(canonical(b.host()));

  private static String canonical(String host) {
    return switch (host) {
      case "redis-a" -> "10.0.2.7";
      case "sentinel-a" -> "10.0.0.1";
      default -> host;
    };
  }

  @Test
  void oneSentinelUnderTwoAddressesCountsOnceAndTheSecondIsADuplicate() {
    HostPort alias = HostPort.parse("sentinel-a:26379");
    SentinelView v =
        SentinelView.of(
            List.of(
                SentinelAnswer.named(S1, "run-1", MASTER, 4),
                SentinelAnswer.named(alias, "run-1", MASTER, 4),
                SentinelAnswer.failed(S3, null, SentinelAnswer.Problem.UNREACHABLE, "down"),
                SentinelAnswer.failed(S4, null, SentinelAnswer.Problem.UNREACHABLE, "down")),
            2);

    assertThat(v.known()).as("four addresses, three Sentinels").isEqualTo(3);
    assertThat(v.reachable()).isEqualTo(1);
    assertThat(v.agreeing()).isEqualTo(1);
    assertThat(v.isConfirmed()).as("one Sentinel is not a quorum of 2").isFalse();
    assertThat(v.responded()).isEqualTo(1);
    assertThat(v.misconfigured()).hasSize(1);
    SentinelAnswer dup = v.misconfigured().get(0);
    assertThat(dup.sentinel()).isEqualTo(alias);
    assertThat(dup.problem()).isEqualTo(SentinelAnswer.Problem.DUPLICATE);
    assertThat(dup.error()).contains(alias.toString()).contains(S1.toString()).contains("run-1");
  }

  @Test
  void aDefaultQuorumIsAMajorityOfTheDistinctSentinels() {
    List<SentinelAnswer> answers =
        List.of(
            SentinelAnswer.named(S1, "run-1", MASTER, 4),
            SentinelAnswer.named(S2, "run-1", MASTER, 4),
            SentinelAnswer.failed(S3, "down"));

    assertThat(SentinelView.of(answers, 0).isConfirmed())
        .as("1 of 2 distinct Sentinels is no majority")
        .isFalse();
    assertThat(SentinelView.of(answers.subList(0, 2), 0).isConfirmed())
        .as("1 of 1 distinct Sentinel is")
        .isTrue();
  }

  @Test
  void aMasterNamedByAddressAndByNameGetsTheVotesOfBoth() {
    HostPort byName = HostPort.parse("redis-a:6379");
    List<SentinelAnswer> answers =
        List.of(
            SentinelAnswer.named(S1, MASTER, 4),
            SentinelAnswer.named(S2, byName, 4),
            SentinelAnswer.named(S3, OTHER, 4));

    assertThat(SentinelView.of(answers, 2, NAMES).confirmed()).isEqualTo(MASTER);
    assertThat(SentinelView.of(answers, 2).confirmed())
        .as("compared as written, nobody has a quorum")
        .isNull();
  }

  @Test
  void unknownMasterAndRefusedPasswordAreMisconfigurationsAndAnOutageIsNot() {
    SentinelView v =
        SentinelView.of(
            List.of(
                SentinelAnswer.failed(S1, "r1", SentinelAnswer.Problem.UNKNOWN_MASTER, "no name"),
                SentinelAnswer.failed(S2, null, SentinelAnswer.Problem.AUTH, "WRONGPASS"),
                SentinelAnswer.failed(S3, null, SentinelAnswer.Problem.UNREACHABLE, "refused")),
            0);

    assertThat(v.known()).isEqualTo(3);
    assertThat(v.responded()).isEqualTo(2);
    assertThat(v.reachable()).isZero();
    assertThat(v.misconfigured()).extracting(SentinelAnswer::sentinel).containsExactly(S1, S2);
  }

  /** Four Sentinels split 2/2 between MASTER and OTHER at the given epochs. */
  private static List<SentinelAnswer> tie(long masterEpoch, long otherEpoch) {
    return List.of(
        SentinelAnswer.named(S1, MASTER, masterEpoch),
        SentinelAnswer.named(S2, OTHER, otherEpoch),
        SentinelAnswer.named(S3, MASTER, masterEpoch),
        SentinelAnswer.named(S4, OTHER, otherEpoch));
  }
}
