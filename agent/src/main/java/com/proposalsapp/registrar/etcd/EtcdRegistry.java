package com.proposalsapp.registrar.etcd;

import static com.proposalsapp.registrar.etcd.GuardedWrites.bytes;

import com.proposalsapp.registrar.config.EtcdAccess;
import com.proposalsapp.registrar.core.InstanceRecord;
import com.proposalsapp.registrar.core.Lease;
import com.proposalsapp.registrar.core.MasterRecord;
import com.proposalsapp.registrar.core.Published;
import com.proposalsapp.registrar.core.Registry;
import com.proposalsapp.registrar.core.RegistryException;
import com.proposalsapp.registrar.core.RouteSource;
import com.proposalsapp.registrar.core.RouteView;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.WatchOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Instance records in etcd under {@code <prefix>/<master-name>/instances/<id>}, bound to a lease
 * that this registry keeps alive and re-grants when it is lost. It puts together the client ({@link
 * EtcdConnection}), the lease ({@link LeaseKeeper}), the writes ({@link GuardedWrites}) and the
 * read side ({@link RecordReads}), and watches the master name's keys for the routing tier.
 */
public final class EtcdRegistry implements Registry, RouteSource {

  private final EtcdConnection etcd;
  private final KeyLayout keys;
  private final LeaseKeeper leases;
  private final GuardedWrites writes;
  private final RecordReads reads;
  private volatile Runnable onChange;
  private Watch.Watcher watcher; // guarded by etcd
  private volatile boolean watchBroken;

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
    this.etcd = new EtcdConnection(access, timeout);
    this.keys = new KeyLayout(prefix, masterName);
    this.leases = new LeaseKeeper(etcd, leaseTtl.toSeconds(), keepAlive);
    this.writes = new GuardedWrites(etcd, keys, leases);
    this.reads = new RecordReads(etcd, keys, leases);
    etcd.onReplaced(
        () -> {
          if (watcher != null) {
            watcher.close();
            watcher = null;
            watchBroken = true; // re-established by the next lease() or view()
          }
        });
  }

  /**
   * Replaces the etcd client now, so that it logs in with the credentials as they are now (after a
   * rotated password was re-read); the lease is verified and the watch re-established on it.
   */
  public void reconnect() {
    etcd.replace();
  }

  @Override
  public String keyOf(String id) {
    return keys.instance(id);
  }

  @Override
  public void onLeaseLost(Runnable listener) {
    leases.onLost(listener);
  }

  @Override
  public void watchChanges(Runnable listener) {
    synchronized (etcd) {
      this.onChange = listener;
      startWatch();
    }
  }

  private void startWatch() {
    synchronized (etcd) {
      if (watcher != null) {
        watcher.close();
      }
      watchBroken = false;
      watcher =
          etcd.watches()
              .watch(
                  bytes(keys.group()),
                  WatchOption.builder().isPrefix(true).build(),
                  response -> onChange.run(),
                  error -> {
                    watchBroken = true;
                    onChange.run();
                  },
                  () -> watchBroken = true);
    }
  }

  private void rewatchIfBroken() {
    synchronized (etcd) {
      if (watchBroken && onChange != null) {
        startWatch();
      }
    }
  }

  @Override
  public Lease lease() throws RegistryException {
    rewatchIfBroken();
    return leases.lease();
  }

  @Override
  public Optional<Published> read(String id) throws RegistryException {
    return reads.read(id);
  }

  @Override
  public void write(InstanceRecord record, long lease) throws RegistryException {
    writes.write(record, lease);
  }

  @Override
  public boolean writeAndClaimMaster(InstanceRecord record, long lease) throws RegistryException {
    return writes.writeAndClaimMaster(record, lease);
  }

  @Override
  public void writeAndReleaseMaster(InstanceRecord record, long lease) throws RegistryException {
    writes.writeAndReleaseMaster(record, lease);
  }

  @Override
  public boolean delete(String id, long lease) throws RegistryException {
    return writes.delete(id, lease);
  }

  @Override
  public boolean releaseMaster(long lease) throws RegistryException {
    return writes.releaseMaster(lease);
  }

  @Override
  public boolean claimMaster(MasterRecord record, long lease) throws RegistryException {
    return writes.claimMaster(record, lease);
  }

  @Override
  public Optional<Published> forceDelete(String id) throws RegistryException {
    return reads.forceDelete(id);
  }

  @Override
  public void revoke(long lease) throws RegistryException {
    leases.revoke(lease);
  }

  @Override
  public RouteView view() throws RegistryException {
    rewatchIfBroken();
    return reads.view();
  }

  @Override
  public List<Published> instances() throws RegistryException {
    return reads.instances();
  }

  @Override
  public List<Published> list() throws RegistryException {
    return reads.list();
  }

  /**
   * Grants the lease and runs the failover path's calls once (a range read, and a transaction
   * shaped like the failover's that writes nothing), so that the first cycle finds the lease
   * granted and their classes loaded and compiled before the first failover needs them.
   */
  public void warmUp() {
    try {
      leases.lease();
      reads.instances();
      writes.warmUp();
      RecordJson.decodeMaster(
          RecordJson.encodeMaster(new MasterRecord("warm-up", "dc", "host", 1, 0, Instant.EPOCH)));
    } catch (RegistryException | RuntimeException e) {
      // etcd not there yet, or the agent closed while this ran: the loop reports what matters;
      // warming up is only an optimisation
    }
  }

  @Override
  public void close() {
    synchronized (etcd) {
      leases.stop();
      if (watcher != null) {
        watcher.close();
      }
    }
    etcd.close();
  }
}
