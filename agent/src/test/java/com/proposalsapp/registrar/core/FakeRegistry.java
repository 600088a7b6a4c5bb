package com.proposalsapp.registrar.core;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An in-memory registry with etcd's lease semantics, plus the outside world: other writers, lost
 * leases and failures on demand. Counts the calls it answered.
 */
final class FakeRegistry implements Registry {

  static final String PREFIX = "/service/redis/proposalsapp-redis/instances/";

  enum Op {
    LEASE,
    READ,
    WRITE,
    DELETE,
    REVOKE,
    LIST
  }

  private record Entry(InstanceRecord record, String raw, long lease) {}

  private final Map<String, Entry> store = new LinkedHashMap<>();
  private final Set<Long> alive = new HashSet<>();
  private final Map<Op, Integer> calls = new EnumMap<>(Op.class);
  private final Set<Op> failing = EnumSet.noneOf(Op.class);
  private String failure;
  private RuntimeException unexpected;
  private long nextLease = 0x7a1e0001L;
  private long current;
  private int grants;
  private Runnable onLeaseLost = () -> {};
  private MasterRecord master;
  private long masterLease;

  // --- Registry

  @Override
  public synchronized Lease lease() throws RegistryException {
    check(Op.LEASE);
    if (current != 0 && alive.contains(current)) {
      return new Lease(current, false);
    }
    current = grant();
    grants++;
    return new Lease(current, true);
  }

  @Override
  public synchronized Optional<Published> read(String id) throws RegistryException {
    check(Op.READ);
    return Optional.ofNullable(store.get(id)).map(e -> published(id, e));
  }

  @Override
  public synchronized void write(InstanceRecord record, long lease) throws RegistryException {
    failIfAsked(Op.WRITE);
    if (!alive.contains(lease)) {
      throw new LeaseLostException("etcd at fake: write: the lease is gone", null);
    }
    succeeded(Op.WRITE);
    store.put(record.id(), new Entry(record, record.toString(), lease));
  }

  @Override
  public synchronized boolean writeAndClaimMaster(InstanceRecord record, long lease)
      throws RegistryException {
    write(record, lease);
    return claimMaster(MasterRecord.of(record), lease);
  }

  @Override
  public synchronized void writeAndReleaseMaster(InstanceRecord record, long lease)
      throws RegistryException {
    failIfAsked(Op.WRITE);
    if (!alive.contains(lease)) {
      throw new LeaseLostException("etcd at fake: write: the lease is gone", null);
    }
    releaseMaster(lease);
    write(record, lease);
  }

  @Override
  public synchronized boolean delete(String id, long lease) throws RegistryException {
    check(Op.DELETE);
    Entry e = store.get(id);
    if (e == null || e.lease() != lease) {
      return false;
    }
    store.remove(id);
    return true;
  }

  @Override
  public synchronized Optional<Published> forceDelete(String id) throws RegistryException {
    check(Op.DELETE);
    return Optional.ofNullable(store.remove(id)).map(e -> published(id, e));
  }

  @Override
  public synchronized void revoke(long lease) throws RegistryException {
    check(Op.REVOKE);
    expire(lease);
  }

  @Override
  public synchronized List<Published> list() throws RegistryException {
    check(Op.LIST);
    List<Published> out = new ArrayList<>();
    store.forEach((id, e) -> out.add(published(id, e)));
    return out;
  }

  /** What the agent reads etcd back with; counted (and failed) as {@link Op#READ}. */
  @Override
  public synchronized List<Published> instances() throws RegistryException {
    check(Op.READ);
    List<Published> out = new ArrayList<>();
    store.forEach((id, e) -> out.add(published(id, e)));
    return out;
  }

  @Override
  public synchronized boolean claimMaster(MasterRecord record, long lease)
      throws RegistryException {
    boolean ours = master == null || masterLease == lease || master.id().equals(record.id());
    if (!ours && master.epoch() >= record.epoch()) {
      return false;
    }
    master = record;
    masterLease = lease;
    return true;
  }

  @Override
  public synchronized boolean releaseMaster(long lease) {
    if (master == null || masterLease != lease) {
      return false;
    }
    master = null;
    return true;
  }

  /** The master key's value, null when absent. */
  synchronized MasterRecord master() {
    return master;
  }

  @Override
  public void watchChanges(Runnable listener) {}

  @Override
  public synchronized void onLeaseLost(Runnable listener) {
    this.onLeaseLost = listener;
  }

  @Override
  public String keyOf(String id) {
    return PREFIX + id;
  }

  @Override
  public void close() {}

  // --- the outside world

  /** Grants a lease as another client would; the registry does not hand it out. */
  synchronized long grant() {
    long id = nextLease++;
    alive.add(id);
    return id;
  }

  /** The agent's lease expires or is revoked from outside, taking its keys with it. */
  void loseLease() {
    Runnable listener;
    synchronized (this) {
      expire(current);
      listener = onLeaseLost;
    }
    listener.run();
  }

  synchronized void deleteFromOutside(String id) {
    store.remove(id);
  }

  /** Someone else writes {@code record} under {@code lease} (0 for none). */
  synchronized void putFromOutside(InstanceRecord record, long lease) {
    store.put(record.id(), new Entry(record, record.toString(), lease));
  }

  /** Someone else writes a value that is not a record. */
  synchronized void putRawFromOutside(String id, String raw, long lease) {
    store.put(id, new Entry(null, raw, lease));
  }

  /** Makes {@code ops} (every operation when none is named) fail with {@code message}. */
  synchronized void fail(String message, Op... ops) {
    failure = message;
    failing.addAll(ops.length == 0 ? EnumSet.allOf(Op.class) : List.of(ops));
  }

  /** Makes every operation throw {@code e}, outside the {@link Registry} contract. */
  synchronized void failUnexpectedly(RuntimeException e) {
    unexpected = e;
  }

  synchronized void heal() {
    failing.clear();
    failure = null;
    unexpected = null;
  }

  // --- what a test inspects

  synchronized Optional<InstanceRecord> recordOf(String id) {
    return Optional.ofNullable(store.get(id)).map(Entry::record);
  }

  synchronized long leaseOf(String id) {
    Entry e = store.get(id);
    return e == null ? 0 : e.lease();
  }

  synchronized long currentLease() {
    return current;
  }

  synchronized boolean isAlive(long lease) {
    return alive.contains(lease);
  }

  /** How many leases the agent was granted. */
  synchronized int grants() {
    return grants;
  }

  /** How many calls of {@code op} it answered. */
  synchronized int count(Op op) {
    return calls.getOrDefault(op, 0);
  }

  /** Fails {@code op} if the test asked for it, else counts it. */
  private void check(Op op) throws RegistryException {
    failIfAsked(op);
    succeeded(op);
  }

  private void failIfAsked(Op op) throws RegistryException {
    if (unexpected != null) {
      throw unexpected;
    }
    if (failing.contains(op)) {
      throw new RegistryException(failure);
    }
  }

  private void succeeded(Op op) {
    calls.merge(op, 1, Integer::sum);
  }

  private void expire(long lease) {
    alive.remove(lease);
    store.values().removeIf(e -> e.lease() == lease);
    if (master != null && masterLease == lease) {
      master = null;
    }
  }

  private Published published(String id, Entry e) {
    return new Published(keyOf(id), e.record(), e.raw(), e.lease(), -1);
  }
}
