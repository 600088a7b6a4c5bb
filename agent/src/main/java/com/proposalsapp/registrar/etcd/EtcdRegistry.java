package com.proposalsapp.registrar.etcd;

import com.proposalsapp.registrar.config.EtcdAccess;
import com.proposalsapp.registrar.core.InstanceRecord;
import com.proposalsapp.registrar.core.Lease;
import com.proposalsapp.registrar.core.LeaseLostException;
import com.proposalsapp.registrar.core.MasterRecord;
import com.proposalsapp.registrar.core.Published;
import com.proposalsapp.registrar.core.Registry;
import com.proposalsapp.registrar.core.RegistryException;
import com.proposalsapp.registrar.core.RouteSource;
import com.proposalsapp.registrar.core.RouteView;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.DeleteResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Instance records in etcd under {@code <prefix>/<master-name>/instances/<id>}, bound to a lease
 * that this registry keeps alive and re-grants when it is lost.
 */
public final class EtcdRegistry implements Registry, RouteSource {

  /** Calls failing at the connection level make us rebuild the client, at most this often. */
  static final Duration RECONNECT_INTERVAL = Duration.ofSeconds(1);

  /** One jetcd client with its own Vert.x instance. */
  private record Connection(Vertx vertx, Client client) {}

  /** A key as this registry last wrote it: the revision of that write, and its lease. */
  private record Written(long revision, long lease) {}

  private final EtcdAccess access;
  private final Duration timeout;
  private volatile Connection connection;
  private volatile long connectedAtNanos;
  private final String endpoints;
  private final String prefix;
  private final String groupPrefix;
  private final String instancesPrefix;
  private final String masterKey;
  private final long ttlSeconds;
  private final boolean keepAlive;
  private final long timeoutMs;

  private volatile long leaseId;
  private volatile boolean leaseLost;
  private CloseableClient keeper;
  private volatile Runnable onLeaseLost = () -> {};
  private volatile Runnable onChange;
  private Watch.Watcher watcher;
  private volatile boolean watchBroken;
  // The keys this registry wrote, as of its last write: a guarded delete of one of them that is
  // still as written then takes one transaction instead of a read and a transaction.
  private final Map<String, Written> writes = new ConcurrentHashMap<>();

  /**
   * @param leaseTtl the TTL of the leases this registry grants
   * @param keepAlive whether to keep granted leases alive (false for one-shot registration)
   * @param timeout the bound on every call to etcd
   */
  public EtcdRegistry(
      EtcdAccess access,
      String prefix,
      String masterName,
      Duration leaseTtl,
      boolean keepAlive,
      Duration timeout) {
    this.access = access;
    this.timeout = timeout;
    this.connection = connect();
    this.endpoints = access.list();
    this.prefix = prefix;
    KeyLayout keys = new KeyLayout(prefix, masterName);
    this.groupPrefix = keys.group();
    this.instancesPrefix = keys.instances();
    this.masterKey = keys.master();
    this.ttlSeconds = leaseTtl.toSeconds();
    this.keepAlive = keepAlive;
    this.timeoutMs = timeout.toMillis();
  }

  private Connection connect() {
    Vertx vertx = Vertx.vertx();
    Client client = EtcdClients.build(access, vertx, timeout);
    connectedAtNanos = System.nanoTime();
    return new Connection(vertx, client);
  }

  /**
   * Replaces the client after a connection-level failure. gRPC backs its reconnect attempts off up
   * to two minutes and jetcd gives no way to reset that, so a fresh channel is the way to try again
   * at the agent's own pace. The keep-alive and the watch are re-established on it.
   */
  private synchronized void reconnect() {
    if (System.nanoTime() - connectedAtNanos < RECONNECT_INTERVAL.toNanos()) {
      return;
    }
    Connection old = connection;
    stopKeepAlive();
    if (watcher != null) {
      watcher.close();
      watcher = null;
      watchBroken = true;
    }
    connection = connect();
    if (leaseId != 0) {
      leaseLost = true; // verified (and kept alive again) by the next lease()
    }
    closeQuietly(old);
  }

  private static void closeQuietly(Connection c) {
    try {
      c.client().close();
      c.vertx().close();
    } catch (RuntimeException e) {
      // closing a broken client: nothing more to do
    }
  }

  private KV kv() {
    return connection.client().getKVClient();
  }

  private io.etcd.jetcd.Lease leases() {
    return connection.client().getLeaseClient();
  }

  @Override
  public String keyOf(String id) {
    return instancesPrefix + id;
  }

  @Override
  public void onLeaseLost(Runnable listener) {
    this.onLeaseLost = listener;
  }

  @Override
  public synchronized void watchChanges(Runnable listener) {
    this.onChange = listener;
    startWatch();
  }

  private synchronized void startWatch() {
    if (watcher != null) {
      watcher.close();
    }
    watchBroken = false;
    watcher =
        connection
            .client()
            .getWatchClient()
            .watch(
                bytes(groupPrefix),
                WatchOption.builder().isPrefix(true).build(),
                response -> onChange.run(),
                error -> {
                  watchBroken = true;
                  onChange.run();
                },
                () -> watchBroken = true);
  }

  @Override
  public synchronized Lease lease() throws RegistryException {
    if (watchBroken && onChange != null) {
      startWatch();
    }
    if (leaseId != 0 && !leaseLost) {
      return new Lease(leaseId, false);
    }
    if (leaseId != 0 && keepAlive && ttlOf(leaseId) > 0) {
      // The keep-alive stream ended (jetcd ends it silently on a missed deadline) but the lease
      // lives on: resume keeping it alive.
      startKeepAlive(leaseId);
      return new Lease(leaseId, false);
    }
    stopKeepAlive();
    long granted = await("grant a lease", leases().grant(ttlSeconds)).getID();
    leaseId = granted;
    leaseLost = false;
    if (keepAlive) {
      startKeepAlive(granted);
    }
    return new Lease(granted, true);
  }

  @Override
  public Optional<Published> read(String id) throws RegistryException {
    List<KeyValue> kvs = await("read " + keyOf(id), kv().get(bytes(keyOf(id)))).getKvs();
    return kvs.isEmpty() ? Optional.empty() : Optional.of(published(kvs.get(0), -1));
  }

  @Override
  public void write(InstanceRecord record, long lease) throws RegistryException {
    String key = keyOf(record.id());
    long revision =
        leaseBound(
                lease,
                "write " + key,
                kv().put(bytes(key), bytes(RecordJson.encode(record)), withLease(lease)))
            .getHeader()
            .getRevision();
    writes.put(key, new Written(revision, lease));
  }

  @Override
  public boolean writeAndClaimMaster(InstanceRecord record, long lease) throws RegistryException {
    String key = keyOf(record.id());
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

  @Override
  public void writeAndReleaseMaster(InstanceRecord record, long lease) throws RegistryException {
    String key = keyOf(record.id());
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

  @Override
  public boolean delete(String id, long lease) throws RegistryException {
    return deleteIfBound(keyOf(id), lease, null);
  }

  @Override
  public boolean releaseMaster(long lease) throws RegistryException {
    return deleteIfBound(masterKey, lease, null);
  }

  @Override
  public boolean claimMaster(MasterRecord record, long lease) throws RegistryException {
    List<KeyValue> held = await("read " + masterKey, kv().get(bytes(masterKey))).getKvs();
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

  /** Awaits a call that writes under {@code lease}, noting the lease lost if etcd says so. */
  private <T> T leaseBound(long lease, String what, CompletableFuture<T> call)
      throws RegistryException {
    try {
      return await(what, call);
    } catch (LeaseLostException e) {
      markLost(lease);
      throw e;
    }
  }

  private static PutOption withLease(long lease) {
    return PutOption.builder().withLeaseId(lease).build();
  }

  private static Cmp modRevisionIs(String key, long revision) {
    return new Cmp(bytes(key), Cmp.Op.EQUAL, CmpTarget.modRevision(revision));
  }

  /**
   * Runs the failover path's calls once (a range read, and a transaction shaped like the failover's
   * with a condition that is false, so that it writes nothing), so that their classes are loaded
   * and compiled before the first failover needs them.
   */
  public void warmUp() {
    try {
      instances();
      // The probe key is absent, so "its version is above 0" is false: the puts and the delete are
      // built and sent but never applied; the read of the other branch is.
      ByteSequence probe = bytes(groupPrefix + ".warm-up");
      TxnResponse r =
          await(
              "warm up",
              kv().txn()
                  .If(new Cmp(probe, Cmp.Op.GREATER, CmpTarget.version(0)))
                  .Then(
                      Op.put(bytes(groupPrefix + ".warm-up-1"), probe, withLease(0)),
                      Op.put(bytes(groupPrefix + ".warm-up-2"), probe, withLease(0)),
                      Op.delete(bytes(groupPrefix + ".warm-up-3"), DeleteOption.DEFAULT))
                  .Else(Op.get(probe, GetOption.DEFAULT))
                  .commit());
      r.getGetResponses().get(0).getKvs();
      RecordJson.decodeMaster(
          RecordJson.encodeMaster(new MasterRecord("warm-up", "dc", "host", 1, 0, Instant.EPOCH)));
    } catch (RegistryException e) {
      // etcd not there yet: the loop reports that; warming up is only an optimisation
    }
  }

  private static MasterRecord decodeMasterOrNull(KeyValue kv) {
    try {
      return RecordJson.decodeMaster(kv.getValue().toString(StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * Deletes {@code key} only if it is bound to {@code lease} and nobody writes it meanwhile. One
   * transaction when the key is still as this registry last wrote it; otherwise it reads the key
   * (unless {@code held} is what it holds now) and deletes it guarded by that read.
   */
  private boolean deleteIfBound(String key, long lease, List<KeyValue> held)
      throws RegistryException {
    Written last = writes.remove(key);
    if (held == null && last != null && last.lease() == lease) {
      TxnResponse r =
          await(
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
    List<KeyValue> kvs = held != null ? held : await("read " + key, kv().get(bytes(key))).getKvs();
    if (kvs.isEmpty() || kvs.get(0).getLease() != lease) {
      return false;
    }
    TxnResponse r =
        await(
            "delete " + key,
            kv().txn()
                .If(modRevisionIs(key, kvs.get(0).getModRevision()))
                .Then(Op.delete(bytes(key), DeleteOption.DEFAULT))
                .commit());
    return r.isSucceeded();
  }

  @Override
  public Optional<Published> forceDelete(String id) throws RegistryException {
    String key = keyOf(id);
    DeleteResponse r =
        await(
            "delete " + key,
            kv().delete(bytes(key), DeleteOption.builder().withPrevKV(true).build()));
    return r.getPrevKvs().isEmpty()
        ? Optional.empty()
        : Optional.of(published(r.getPrevKvs().get(0), -1));
  }

  @Override
  public synchronized void revoke(long lease) throws RegistryException {
    if (lease == leaseId) {
      stopKeepAlive();
      leaseId = 0;
    }
    try {
      await("revoke lease " + Long.toHexString(lease), leases().revoke(lease));
    } catch (RegistryException e) {
      if (!String.valueOf(e.getMessage()).contains("lease not found")) {
        throw e;
      }
    }
  }

  @Override
  public RouteView view() throws RegistryException {
    synchronized (this) {
      if (watchBroken && onChange != null) {
        startWatch();
      }
    }
    MasterRecord master = null;
    List<InstanceRecord> records = new ArrayList<>();
    List<String> invalid = new ArrayList<>();
    for (KeyValue k : range(groupPrefix)) {
      String key = k.getKey().toString(StandardCharsets.UTF_8);
      String raw = k.getValue().toString(StandardCharsets.UTF_8);
      try {
        if (key.equals(masterKey)) {
          master = RecordJson.decodeMaster(raw);
        } else if (key.startsWith(instancesPrefix)) {
          records.add(RecordJson.decode(raw));
        }
      } catch (IllegalArgumentException e) {
        invalid.add(key + " (" + e.getMessage() + ")");
      }
    }
    return new RouteView(master, records, invalid);
  }

  @Override
  public List<Published> instances() throws RegistryException {
    List<Published> out = new ArrayList<>();
    for (KeyValue k : range(instancesPrefix)) {
      out.add(published(k, -1));
    }
    return out;
  }

  @Override
  public List<Published> list() throws RegistryException {
    Map<Long, Long> ttl = new HashMap<>();
    List<Published> out = new ArrayList<>();
    for (KeyValue k : range(prefix + "/")) {
      if (!k.getKey().toString(StandardCharsets.UTF_8).contains("/instances/")) {
        continue;
      }
      long lease = k.getLease();
      long left = lease == 0 ? -1 : ttl.computeIfAbsent(lease, this::ttlOrUnknown);
      out.add(published(k, left));
    }
    return out;
  }

  private List<KeyValue> range(String keyPrefix) throws RegistryException {
    return await(
            "list " + keyPrefix,
            kv().get(bytes(keyPrefix), GetOption.builder().isPrefix(true).build()))
        .getKvs();
  }

  /** The seconds left on {@code lease}, or -1 when it is gone. */
  public long ttlOf(long lease) throws RegistryException {
    return await(
            "look up lease " + Long.toHexString(lease),
            leases().timeToLive(lease, LeaseOption.DEFAULT))
        .getTTL();
  }

  @Override
  public void close() {
    synchronized (this) {
      stopKeepAlive();
      if (watcher != null) {
        watcher.close();
      }
    }
    Connection c = connection;
    c.client().close();
    try {
      c.vertx().close().toCompletionStage().toCompletableFuture().get(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // closing: nothing more to do
    }
  }

  private long ttlOrUnknown(long lease) {
    try {
      return ttlOf(lease);
    } catch (RegistryException e) {
      return -1;
    }
  }

  private void startKeepAlive(long lease) {
    stopKeepAlive();
    leaseLost = false;
    keeper =
        leases()
            .keepAlive(
                lease,
                new StreamObserver<>() {
                  @Override
                  public void onNext(LeaseKeepAliveResponse r) {
                    if (r.getTTL() <= 0) {
                      markLost(lease);
                    }
                  }

                  @Override
                  public void onError(Throwable t) {
                    markLost(lease);
                  }

                  @Override
                  public void onCompleted() {
                    markLost(lease);
                  }
                });
  }

  private void stopKeepAlive() {
    if (keeper != null) {
      keeper.close();
      keeper = null;
    }
  }

  private void markLost(long lease) {
    if (lease == leaseId && !leaseLost) {
      leaseLost = true;
      onLeaseLost.run();
    }
  }

  private Published published(KeyValue k, long ttlLeft) {
    String key = k.getKey().toString(StandardCharsets.UTF_8);
    String raw = k.getValue().toString(StandardCharsets.UTF_8);
    InstanceRecord record;
    try {
      record = RecordJson.decode(raw);
    } catch (IllegalArgumentException e) {
      record = null;
    }
    return new Published(key, record, raw, k.getLease(), ttlLeft);
  }

  private <T> T await(String what, CompletableFuture<T> future) throws RegistryException {
    try {
      return future.get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      reconnect();
      throw new RegistryException(
          "etcd at " + endpoints + ": " + what + " timed out after " + timeoutMs + " ms", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryException("etcd at " + endpoints + ": " + what + " interrupted", e);
    } catch (ExecutionException e) {
      String why = describe(e.getCause(), access.tls() != null);
      if (unavailable(e.getCause())) {
        reconnect();
      }
      if (why.contains("requested lease not found")) {
        throw new LeaseLostException(
            "etcd at " + endpoints + ": " + what + ": the lease is gone (revoked or expired)",
            e.getCause());
      }
      throw new RegistryException(
          "etcd at " + endpoints + ": " + what + " failed: " + why, e.getCause());
    }
  }

  private static boolean unavailable(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof io.grpc.StatusRuntimeException s
          && (s.getStatus().getCode() == io.grpc.Status.Code.UNAVAILABLE
              || s.getStatus().getCode() == io.grpc.Status.Code.DEADLINE_EXCEEDED)) {
        return true;
      }
      if (c instanceof java.net.ConnectException || c instanceof java.io.IOException) {
        return true;
      }
    }
    return false;
  }

  /** A failure in a few words, with a hint where gRPC's own words point nowhere. */
  static String describe(Throwable t, boolean tls) {
    Throwable root = t;
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof javax.net.ssl.SSLException) {
        return "TLS handshake failed ("
            + c.getMessage()
            + "): check --etcd-cacert, --etcd-cert and --etcd-key";
      }
      root = c;
    }
    String msg = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    msg = msg.replaceFirst("^[A-Z_]+: ", "");
    if (msg.contains("Network closed for unknown reason")) {
      return tls
          ? "the connection was closed during TLS: does etcd require a client certificate"
              + " (--etcd-cert, --etcd-key)?"
          : "the connection was closed: does etcd speak TLS (use https:// and --etcd-cacert)?";
    }
    return msg;
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }
}
