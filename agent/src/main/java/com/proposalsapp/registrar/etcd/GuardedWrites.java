package com.proposalsapp.registrar.etcd;

import com.proposalsapp.registrar.core.InstanceRecord;
import com.proposalsapp.registrar.core.LeaseLostException;
import com.proposalsapp.registrar.core.MasterRecord;
import com.proposalsapp.registrar.core.RegistryException;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes that never overwrite or delete what someone else wrote meanwhile: each is a transaction
 * guarded by the key's revision (or its absence), and a key is only deleted while it is bound to
 * the writer's lease. It remembers the revision of its own last write of each key, so that undoing
 * it takes one transaction instead of a read and a transaction.
 */
final class GuardedWrites {

  /** A key as last written here: the revision of that write, and its lease. */
  private record Written(long revision, long lease) {}

  private final EtcdConnection etcd;
  private final KeyLayout keys;
  private final LeaseKeeper leases;
  private final String masterKey;
  private final Map<String, Written> writes = new ConcurrentHashMap<>();

  GuardedWrites(EtcdConnection etcd, KeyLayout keys, LeaseKeeper leases) {
    this.etcd = etcd;
    this.keys = keys;
    this.leases = leases;
    this.masterKey = keys.master();
  }

  private KV kv() {
    return etcd.kv();
  }

  /** Writes {@code record} under {@code lease}. */
  void write(InstanceRecord record, long lease) throws RegistryException {
    String key = keys.instance(record.id());
    long revision =
        leaseBound(
                lease,
                "write " + key,
                kv().put(bytes(key), bytes(RecordJson.encode(record)), withLease(lease)))
            .getHeader()
            .getRevision();
    writes.put(key, new Written(revision, lease));
  }

  /**
   * Writes {@code record} and, in the same transaction when the master key is absent, the master
   * key naming it; otherwise claims the key as {@link #claimMaster} does. True if the key names
   * this instance afterwards.
   */
  boolean writeAndClaimMaster(InstanceRecord record, long lease) throws RegistryException {
    String key = keys.instance(record.id());
    String value = RecordJson.encodeMaster(MasterRecord.of(record));
    Op putRecord = Op.put(bytes(key), bytes(RecordJson.encode(record)), withLease(lease));
    TxnResponse r =
        leaseBound(
            lease,
            "write " + key + " and " + masterKey,
            kv().txn()
                .If(new Cmp(bytes(masterKey), Cmp.Op.EQUAL, CmpTarget.version(0)))
                .Then(putRecord, Op.put(bytes(masterKey), bytes(value), withLease(lease)))
                .Else(putRecord, Op.get(bytes(masterKey), GetOption.DEFAULT))
                .commit());
    Written written = new Written(r.getHeader().getRevision(), lease);
    writes.put(key, written);
    if (r.isSucceeded()) {
      writes.put(masterKey, written);
      return true;
    }
    return claim(r.getGetResponses().get(0).getKvs(), MasterRecord.of(record), value, lease);
  }

  /**
   * Deletes the master key if it is still as written under {@code lease}, and writes {@code
   * record}.
   */
  void writeAndReleaseMaster(InstanceRecord record, long lease) throws RegistryException {
    String key = keys.instance(record.id());
    Written master = writes.get(masterKey);
    List<KeyValue> held = null;
    if (master != null && master.lease() == lease) {
      TxnResponse r =
          leaseBound(
              lease,
              "delete " + masterKey + " and write " + key,
              kv().txn()
                  .If(modRevisionIs(masterKey, master.revision()))
                  .Then(
                      Op.delete(bytes(masterKey), DeleteOption.DEFAULT),
                      Op.put(bytes(key), bytes(RecordJson.encode(record)), withLease(lease)))
                  .Else(Op.get(bytes(masterKey), GetOption.DEFAULT))
                  .commit());
      if (r.isSucceeded()) {
        writes.remove(masterKey);
        writes.put(key, new Written(r.getHeader().getRevision(), lease));
        return;
      }
      held = r.getGetResponses().get(0).getKvs(); // changed since we wrote it
    }
    deleteIfBound(masterKey, lease, held);
    write(record, lease);
  }

  /** Writes the master key {@code record} unless another instance holds it with a higher epoch. */
  boolean claimMaster(MasterRecord record, long lease) throws RegistryException {
    List<KeyValue> held = etcd.await("read " + masterKey, kv().get(bytes(masterKey))).getKvs();
    return claim(held, record, RecordJson.encodeMaster(record), lease);
  }

  /**
   * Writes the master key {@code wanted} (encoded as {@code value}) unless {@code held} (what the
   * key holds now) names another instance with an epoch at least as high; guarded so that nothing
   * written meanwhile is overwritten. True if the key names this instance afterwards.
   */
  private boolean claim(List<KeyValue> held, MasterRecord wanted, String value, long lease)
      throws RegistryException {
    Cmp unchanged;
    if (held.isEmpty()) {
      unchanged = new Cmp(bytes(masterKey), Cmp.Op.EQUAL, CmpTarget.version(0));
    } else {
      KeyValue kv = held.get(0);
      if (kv.getLease() == lease && kv.getValue().toString(StandardCharsets.UTF_8).equals(value)) {
        writes.put(masterKey, new Written(kv.getModRevision(), lease));
        return true;
      }
      MasterRecord current = decodeMasterOrNull(kv);
      boolean ours =
          kv.getLease() == lease || (current != null && current.id().equals(wanted.id()));
      if (!ours && current != null && current.epoch() >= wanted.epoch()) {
        return false;
      }
      unchanged = modRevisionIs(masterKey, kv.getModRevision());
    }
    TxnResponse r =
        leaseBound(
            lease,
            "write " + masterKey,
            kv().txn()
                .If(unchanged)
                .Then(Op.put(bytes(masterKey), bytes(value), withLease(lease)))
                .commit());
    if (r.isSucceeded()) {
      writes.put(masterKey, new Written(r.getHeader().getRevision(), lease));
    }
    return r.isSucceeded();
  }

  /** Deletes the record of {@code id} if it is bound to {@code lease}. */
  boolean delete(String id, long lease) throws RegistryException {
    return deleteIfBound(keys.instance(id), lease, null);
  }

  /** Deletes the master key if it is bound to {@code lease}. */
  boolean releaseMaster(long lease) throws RegistryException {
    return deleteIfBound(masterKey, lease, null);
  }

  /**
   * Deletes {@code key} only if it is bound to {@code lease} and nobody writes it meanwhile. One
   * transaction when the key is still as last written here; otherwise it reads the key (unless
   * {@code held} is what it holds now) and deletes it guarded by that read.
   */
  private boolean deleteIfBound(String key, long lease, List<KeyValue> held)
      throws RegistryException {
    Written last = writes.remove(key);
    if (held == null && last != null && last.lease() == lease) {
      TxnResponse r =
          etcd.await(
              "delete " + key,
              kv().txn()
                  .If(modRevisionIs(key, last.revision()))
                  .Then(Op.delete(bytes(key), DeleteOption.DEFAULT))
                  .Else(Op.get(bytes(key), GetOption.DEFAULT))
                  .commit());
      if (r.isSucceeded()) {
        return true;
      }
      held = r.getGetResponses().get(0).getKvs();
    }
    List<KeyValue> kvs =
        held != null ? held : etcd.await("read " + key, kv().get(bytes(key))).getKvs();
    if (kvs.isEmpty() || kvs.get(0).getLease() != lease) {
      return false;
    }
    TxnResponse r =
        etcd.await(
            "delete " + key,
            kv().txn()
                .If(modRevisionIs(key, kvs.get(0).getModRevision()))
                .Then(Op.delete(bytes(key), DeleteOption.DEFAULT))
                .commit());
    return r.isSucceeded();
  }

  /**
   * Sends a transaction shaped like the failover's with a condition that is false, so that it
   * writes nothing, so that its classes are loaded and compiled before a failover needs them.
   */
  void warmUp() throws RegistryException {
    // The probe key is absent, so "its version is above 0" is false: the puts and the delete are
    // built and sent but never applied; the read of the other branch is.
    ByteSequence probe = bytes(keys.group() + ".warm-up");
    TxnResponse r =
        etcd.await(
            "warm up",
            kv().txn()
                .If(new Cmp(probe, Cmp.Op.GREATER, CmpTarget.version(0)))
                .Then(
                    Op.put(bytes(keys.group() + ".warm-up-1"), probe, withLease(0)),
                    Op.put(bytes(keys.group() + ".warm-up-2"), probe, withLease(0)),
                    Op.delete(bytes(keys.group() + ".warm-up-3"), DeleteOption.DEFAULT))
                .Else(Op.get(probe, GetOption.DEFAULT))
                .commit());
    r.getGetResponses().get(0).getKvs();
  }

  /** Awaits a call that writes under {@code lease}, noting the lease lost if etcd says so. */
  private <T> T leaseBound(long lease, String what, CompletableFuture<T> call)
      throws RegistryException {
    try {
      return etcd.await(what, call);
    } catch (LeaseLostException e) {
      leases.markLost(lease);
      throw e;
    }
  }

  private static MasterRecord decodeMasterOrNull(KeyValue kv) {
    try {
      return RecordJson.decodeMaster(kv.getValue().toString(StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static PutOption withLease(long lease) {
    return PutOption.builder().withLeaseId(lease).build();
  }

  private static Cmp modRevisionIs(String key, long revision) {
    return new Cmp(bytes(key), Cmp.Op.EQUAL, CmpTarget.modRevision(revision));
  }

  static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }
}
