package com.proposalsapp.registrar.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reconcile cycle: observe, decide, compare with what is published, write only if different.
 *
 * <p>Not thread-safe: one loop owns it. {@link #reconcile} never throws.
 */
public final class Reconciler {

  private static final Logger log = LoggerFactory.getLogger(Reconciler.class);

  /** The least time between two takeovers of our record from another live lease. */
  static final Duration TAKEOVER_QUIET = Duration.ofSeconds(10);

  /**
   * What the reconciler may decide on its own.
   *
   * @param requireSentinelMajority never publish {@code master} without a Sentinel quorum
   * @param downAfter how long Redis may be unreachable before its record is withdrawn
   * @param agent the agent's name and version, published in every record
   */
  public record Policy(boolean requireSentinelMajority, Duration downAfter, String agent) {}

  private final Identity self;
  private final TopologySource source;
  private final Registry registry;
  private final Policy policy;
  private final Clock clock;
  private final Endpoints endpoints;

  private long leaseId;
  private InstanceRecord written; // what etcd holds under leaseId, as far as we know
  private InstanceRecord desired; // the last record derived from an answer of Redis
  private Instant since;
  private Instant redisDownSince;
  private boolean masterClaimed; // the master key names us, as far as we know
  private boolean masterRefused; // the last claim found a higher or equal epoch
  // when we started waiting for another record to stop claiming master
  private Instant masterWaitSince;
  // the address another agent publishes under our id, if any
  private HostPort conflictWith;
  private Instant lastTakeover;
  private boolean takeoverRefused;

  // for the status snapshot
  private Observation lastObservation;
  private Role committedRole; // the role this agent last got into etcd; null for none
  private Instant changeSeenAt; // when a role change not yet committed to etcd was first observed
  private Duration detectionToCommit; // of the change committed in the current cycle
  private long cycles;
  private long leaseRegrants;
  private final Map<String, Long> etcdWrites = new HashMap<>();
  private final Map<Counters.RoleChange, Long> roleChanges = new HashMap<>();
  private final Map<Counters.ErrorKind, Long> errors = new HashMap<>();
  // each misconfigured Sentinel's last error, to log a change once
  private Map<HostPort, String> misconfigured = Map.of();

  /** A reconciler comparing addresses as written. */
  public Reconciler(
      Identity self, TopologySource source, Registry registry, Policy policy, Clock clock) {
    this(self, source, registry, policy, clock, Endpoints.LITERAL);
  }

  /**
   * @param endpoints how a Sentinel's or replica's address is matched with this instance's
   */
  public Reconciler(
      Identity self,
      TopologySource source,
      Registry registry,
      Policy policy,
      Clock clock,
      Endpoints endpoints) {
    this.self = self;
    this.source = source;
    this.registry = registry;
    this.policy = policy;
    this.clock = clock;
    this.endpoints = endpoints;
  }

  /**
   * Runs one cycle; with {@code fullResync} it reads etcd back instead of trusting what it wrote.
   */
  public Outcome reconcile(boolean fullResync) {
    cycles++;
    detectionToCommit = null;
    Observation obs = observe();
    Verdict verdict = decide(obs);
    try {
      boolean published;
      try {
        published = sync(fullResync);
      } catch (LeaseLostException e) {
        count(errors, new Counters.ErrorKind("etcd", "lease_lost"));
        // Revoked or expired since we last looked: re-grant and republish in this same cycle.
        published = sync(true);
      }
      return new Outcome(verdict, published, obs.redisError(), null);
    } catch (RegistryException e) {
      count(errors, new Counters.ErrorKind("etcd", "unavailable"));
      return new Outcome(verdict, false, obs.redisError(), e.getMessage());
    } catch (RuntimeException e) {
      log.error("unexpected failure in reconcile cycle for {}", self.id(), e);
      count(errors, new Counters.ErrorKind("etcd", "unexpected"));
      return new Outcome(verdict, false, obs.redisError(), "unexpected: " + e);
    }
  }

  /**
   * The status after the cycle that returned {@code outcome}, which started at {@code start} and
   * ended at {@code end}.
   */
  public Status status(Outcome outcome, Instant startedAt, Instant start, Instant end) {
    return new Status(
        Status.Phase.RUNNING,
        startedAt,
        end,
        Duration.between(start, end),
        lastObservation,
        outcome.verdict(),
        desired,
        outcome.published() && (desired == null ? written == null : desired.equals(written)),
        masterClaimed,
        leaseId,
        outcome.registryError(),
        detectionToCommit,
        counters(),
        FenceStatus.off());
  }

  /**
   * What a cycle would decide now, and whether etcd already holds that record, without writing
   * anything ({@code check}): the same observation and verdict as {@link #reconcile}.
   */
  public Status check() {
    Instant start = clock.instant();
    cycles++;
    Observation obs = observe();
    Verdict verdict = decide(obs);
    boolean published = false;
    long lease = 0;
    String registryError = null;
    try {
      Optional<Published> current = registry.read(self.id());
      if (current.isPresent()) {
        Published p = current.get();
        lease = p.lease();
        published =
            p.valid() && desired != null && p.record().withSince(desired.since()).equals(desired);
      }
    } catch (RegistryException e) {
      count(errors, new Counters.ErrorKind("etcd", "unavailable"));
      registryError = e.getMessage();
    }
    Instant end = clock.instant();
    return new Status(
        Status.Phase.RUNNING,
        start,
        end,
        Duration.between(start, end),
        obs,
        verdict,
        desired,
        published,
        false,
        lease,
        registryError,
        null,
        counters(),
        FenceStatus.off());
  }

  private Observation observe() {
    Observation obs;
    try {
      obs = source.observe();
    } catch (RuntimeException e) {
      obs = new Observation(clock.instant(), null, "observation failed: " + e, null);
    }
    lastObservation = obs;
    if (obs.redisError() != null) {
      count(errors, new Counters.ErrorKind("redis", "unreachable"));
    }
    if (obs.sentinels() != null) {
      for (SentinelAnswer a : obs.sentinels().answers()) {
        if (a.problem() != null) {
          count(errors, new Counters.ErrorKind("sentinel", a.problem().wire()));
        }
      }
      if (obs.sentinels().answers().isEmpty()
          && obs.sentinels().reachable() < obs.sentinels().known()) {
        errors.merge(
            new Counters.ErrorKind("sentinel", "unreachable"),
            (long) (obs.sentinels().known() - obs.sentinels().reachable()),
            Long::sum);
      }
      logMisconfigured(obs.sentinels());
    }
    return obs;
  }

  /**
   * One ERROR line when a Sentinel starts answering with a configuration error (an unknown master
   * name, a refused password, a missing permission, the same Sentinel under a second address), one
   * INFO line when it stops: never one per cycle.
   */
  private void logMisconfigured(SentinelView view) {
    Map<HostPort, String> now = new HashMap<>();
    for (SentinelAnswer a : view.misconfigured()) {
      now.put(a.sentinel(), a.error());
      if (!a.error().equals(misconfigured.get(a.sentinel()))) {
        log.error("misconfigured: {}", a.error());
      }
    }
    for (HostPort was : misconfigured.keySet()) {
      if (!now.containsKey(was)
          && view.answers().stream().anyMatch(a -> a.sentinel().equals(was) && a.answered())) {
        log.info("Sentinel at {} answers without a configuration error again", was);
      }
    }
    misconfigured = now;
  }

  private Counters counters() {
    return new Counters(cycles, etcdWrites, leaseRegrants, roleChanges, errors);
  }

  private static <K> void count(Map<K, Long> counts, K key) {
    counts.merge(key, 1L, Long::sum);
  }

  private void wrote(String kind) {
    count(etcdWrites, kind);
  }

  /** The record this agent currently wants published; null when it wants none. */
  public InstanceRecord desired() {
    return desired;
  }

  /** Whether the desired record was last seen published under the agent's lease. */
  public boolean isPublished() {
    return written != null && written.equals(desired);
  }

  /** Removes the record (only if it is still bound to this agent's lease) and revokes the lease. */
  public void deregister() throws RegistryException {
    if (leaseId == 0) {
      return;
    }
    long lease = leaseId;
    boolean deleted;
    try {
      registry.releaseMaster(lease);
      wrote("release");
      deleted = registry.delete(self.id(), lease);
      wrote("delete");
    } finally {
      masterClaimed = false;
      registry.revoke(lease); // removes the record too, if it is still bound to our lease
      wrote("revoke");
      leaseId = 0;
      written = null;
    }
    log.info(
        "deregistered id={} role={} address={} ({})",
        self.id(),
        desired == null ? "none" : desired.role().wire(),
        self.announce(),
        deleted ? "record deleted, lease revoked" : "record was not ours any more, lease revoked");
  }

  private Verdict decide(Observation obs) {
    Instant now = obs.at();
    if (!obs.redisReachable()) {
      if (redisDownSince == null) {
        redisDownSince = now;
      }
      HostPort confirmed = obs.sentinels() == null ? null : obs.sentinels().confirmed();
      if (desired != null
          && desired.role() == Role.MASTER
          && confirmed != null
          && !self.is(confirmed, endpoints)) {
        log.info(
            "withdrawing id={} address={}: Redis unreachable and {} Sentinels name {} as master",
            self.id(),
            self.announce(),
            obs.sentinels().agreeing(),
            confirmed);
        withdrawn(now);
      } else if (desired != null && !now.isBefore(redisDownSince.plus(policy.downAfter()))) {
        log.info(
            "withdrawing id={} address={}: Redis unreachable for {} ms",
            self.id(),
            self.announce(),
            Duration.between(redisDownSince, now).toMillis());
        withdrawn(now);
      }
      return null;
    }
    redisDownSince = null;
    Verdict v =
        Verdict.decide(
            self, obs.redis(), obs.sentinels(), policy.requireSentinelMajority(), endpoints);
    if (desired == null || desired.role() != v.role() || since == null) {
      since = now.truncatedTo(ChronoUnit.SECONDS);
      if (changeSeenAt == null && committedRole != v.role()) {
        changeSeenAt = now;
      }
    }
    desired = v.record(self, obs.redis(), obs.sentinels(), policy.agent(), since);
    return v;
  }

  /** Gives up the desired record: the change to "none" is timed like a role change. */
  private void withdrawn(Instant now) {
    desired = null;
    if (committedRole != null && changeSeenAt == null) {
      changeSeenAt = now;
    }
  }

  /** Notes that etcd now holds the change first observed at {@link #changeSeenAt}. */
  private void committed(String from, String to) {
    count(roleChanges, new Counters.RoleChange(from, to));
    if (changeSeenAt != null) {
      detectionToCommit = Duration.between(changeSeenAt, clock.instant());
      changeSeenAt = null;
    }
  }

  /** What a record write does to the master key in the same step. */
  private enum MasterKey {
    LEAVE,
    CLAIM,
    RELEASE
  }

  /** Brings etcd up to date; false when it deliberately does not publish (yet). */
  private boolean sync(boolean fullResync) throws RegistryException {
    boolean wantMaster = desired != null && desired.role() == Role.MASTER;
    // Demoting: the master key goes with the record's change (or before it), so that it never
    // names an instance that is not master.
    boolean release = !wantMaster && leaseId != 0 && (masterClaimed || fullResync);
    if (desired == null) {
      if (release) {
        registry.releaseMaster(leaseId);
        wrote("release");
        masterClaimed = false;
      }
      if (written != null || (fullResync && leaseId != 0)) {
        registry.delete(self.id(), leaseId);
        wrote("delete");
        if (committedRole != null) {
          committed(committedRole.wire(), "none");
          committedRole = null;
        }
        written = null;
      }
      return true;
    }
    Lease lease = registry.lease();
    if (lease.id() != leaseId) {
      if (leaseId != 0) {
        log.info(
            "lease re-granted id={} role={} address={} lease={} (previous lease {} lost)",
            self.id(),
            desired.role().wire(),
            self.announce(),
            hex(lease.id()),
            hex(leaseId));
      }
      if (leaseId != 0) {
        leaseRegrants++;
      }
      leaseId = lease.id();
      written = null;
      masterClaimed = false; // a master key on the lost lease went with it
      release = false;
    }
    List<Published> seen = null; // every instance record, when read in this cycle
    boolean restoring = false;
    if (written == null || fullResync) {
      seen = registry.instances();
      String key = registry.keyOf(self.id());
      Optional<Published> current = seen.stream().filter(p -> p.key().equals(key)).findFirst();
      if (heldByAnother(current) || tookOverTooRecently(current)) {
        written = null;
        return false; // never flap with another agent over one id; retried every cycle
      }
      InstanceRecord held =
          current.filter(p -> p.lease() == leaseId).map(Published::record).orElse(null);
      adoptSince(current);
      restoring = written != null && !written.equals(held); // changed behind our back
      written = held;
    }
    boolean claim = wantMaster && (!masterClaimed || fullResync);
    if (!desired.equals(written)) {
      boolean promoting = wantMaster && (written == null || written.role() != Role.MASTER);
      if (promoting && anotherMaster(seen)) {
        return false; // published once the other record stops claiming master (its change wakes us)
      }
      writeRecord(
          restoring, release ? MasterKey.RELEASE : claim ? MasterKey.CLAIM : MasterKey.LEAVE);
    } else if (release) {
      registry.releaseMaster(leaseId);
      wrote("release");
      masterClaimed = false;
    } else if (claim) {
      claimed(registry.claimMaster(MasterRecord.of(desired), leaseId));
      wrote("claim");
    }
    return true;
  }

  /** Notes the answer of a master claim, warning once when it is refused. */
  private void claimed(boolean claimed) {
    boolean refusedBefore = !masterClaimed && masterRefused;
    masterClaimed = claimed;
    masterRefused = !claimed;
    if (masterRefused && !refusedBefore) {
      log.warn(
          "master key not claimed for id={}: it names another instance with epoch >= {}",
          self.id(),
          desired.sentinel().epoch());
    }
  }

  /**
   * Whether the key of this id holds another agent's live record for another address (two agents
   * given the same --id). Logs once per conflict.
   */
  private boolean heldByAnother(Optional<Published> current) {
    Published p = current.orElse(null);
    boolean conflict =
        p != null
            && p.valid()
            && p.lease() != 0
            && p.lease() != leaseId
            && !p.record().address().equals(self.announce());
    if (conflict && !p.record().address().equals(conflictWith)) {
      log.error(
          "id={} is already published for {} by another agent (lease {}); this agent for {} will"
              + " not publish until that record goes: check --id",
          self.id(),
          p.record().address(),
          hex(p.lease()),
          self.announce());
    }
    conflictWith = conflict ? p.record().address() : null;
    return conflict;
  }

  /**
   * Takes over a record of our address written under another live lease (a previous agent of this
   * Redis that died or is still stopping) at once, but only once per {@link #TAKEOVER_QUIET}: two
   * live agents for one Redis would otherwise overwrite each other forever.
   */
  private boolean tookOverTooRecently(Optional<Published> current) {
    Published p = current.orElse(null);
    if (p == null || !p.valid() || p.lease() == 0 || p.lease() == leaseId) {
      return false;
    }
    Instant now = clock.instant();
    if (lastTakeover != null && now.isBefore(lastTakeover.plus(TAKEOVER_QUIET))) {
      if (!takeoverRefused) {
        log.error(
            "id={} keeps being rewritten under another lease ({}) for the same address {}: is a"
                + " second agent running for this Redis?",
            self.id(),
            hex(p.lease()),
            self.announce());
        takeoverRefused = true;
      }
      return true;
    }
    log.info("taking over id={} from lease {}", self.id(), hex(p.lease()));
    lastTakeover = now;
    takeoverRefused = false;
    return false;
  }

  /**
   * Whether another record still says master. Two records never both say master: the old master's
   * agent demotes its record within moments of the failover, and this one waits for that, but not
   * longer than {@code downAfter} (its agent may be gone with its node). Reads etcd unless {@code
   * seen} holds the records read in this cycle.
   */
  private boolean anotherMaster(List<Published> seen) throws RegistryException {
    List<Published> records = seen != null ? seen : registry.instances();
    Optional<Published> other =
        records.stream()
            .filter(p -> p.valid() && p.record().role() == Role.MASTER)
            .filter(p -> !p.record().id().equals(self.id()))
            .findFirst();
    if (other.isEmpty()) {
      masterWaitSince = null;
      return false;
    }
    Instant now = clock.instant();
    if (masterWaitSince == null) {
      masterWaitSince = now;
      log.info(
          "id={} is the confirmed master; waiting for {} to stop claiming master",
          self.id(),
          other.get().record().id());
    }
    if (now.isBefore(masterWaitSince.plus(policy.downAfter()))) {
      return true;
    }
    log.warn(
        "id={}: {} still claims master after {}; publishing master anyway",
        self.id(),
        other.get().record().id(),
        policy.downAfter());
    masterWaitSince = null;
    return false;
  }

  private void writeRecord(boolean restoring, MasterKey masterKey) throws RegistryException {
    InstanceRecord before = written;
    try {
      switch (masterKey) {
        case LEAVE -> {
          registry.write(desired, leaseId);
          wrote("record");
        }
        case CLAIM -> {
          claimed(registry.writeAndClaimMaster(desired, leaseId));
          wrote("record_and_claim");
        }
        case RELEASE -> {
          registry.writeAndReleaseMaster(desired, leaseId);
          wrote("record_and_release");
          masterClaimed = false;
        }
      }
    } catch (RegistryException e) {
      written = null;
      throw e;
    }
    written = desired;
    if (committedRole != desired.role()) {
      committed(committedRole == null ? "none" : committedRole.wire(), desired.role().wire());
      committedRole = desired.role();
    }
    if (restoring) {
      log.info(
          "restored id={} role={} address={} (changed or deleted from outside)",
          self.id(),
          desired.role().wire(),
          self.announce());
    } else if (before == null) {
      log.info(
          "registered id={} role={} address={} lease={}",
          self.id(),
          desired.role().wire(),
          self.announce(),
          hex(leaseId));
    } else if (before.role() != desired.role()) {
      log.info(
          "role changed id={} {} -> {} address={}",
          self.id(),
          before.role().wire(),
          desired.role().wire(),
          self.announce());
    } else {
      log.info(
          "updated id={} role={} address={}", self.id(), desired.role().wire(), self.announce());
    }
  }

  /**
   * Keeps {@code since} across agent restarts when the published role is the one we would publish.
   */
  private void adoptSince(Optional<Published> current) {
    current
        .map(Published::record)
        .filter(r -> r.role() == desired.role() && r.since() != null && r.since().isBefore(since))
        .ifPresent(
            r -> {
              since = r.since();
              desired = desired.withSince(since);
            });
  }

  private static String hex(long lease) {
    return Long.toHexString(lease);
  }
}
