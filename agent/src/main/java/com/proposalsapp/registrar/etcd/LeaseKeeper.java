package com.proposalsapp.registrar.etcd;

import com.proposalsapp.registrar.core.Lease;
import com.proposalsapp.registrar.core.RegistryException;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;

/**
 * This registry's one lease: granted on demand, kept alive, and re-granted once it is gone. jetcd's
 * keep-alive ends silently on a missed deadline and never re-grants: both are noticed here (the
 * lease is then "lost" until the next {@link #lease()} checks it) and recovered from.
 */
final class LeaseKeeper {

  private final EtcdConnection etcd;
  private final long ttlSeconds;
  private final boolean keepAlive;
  private volatile long leaseId;
  private volatile boolean lost;
  private volatile Runnable onLost = () -> {};
  private CloseableClient keeper; // guarded by etcd

  /**
   * @param ttlSeconds the TTL of the leases it grants
   * @param keepAlive whether to keep them alive (false for one-shot registration)
   */
  LeaseKeeper(EtcdConnection etcd, long ttlSeconds, boolean keepAlive) {
    this.etcd = etcd;
    this.ttlSeconds = ttlSeconds;
    this.keepAlive = keepAlive;
    // The keep-alive lived on the old client: verify (and keep alive again) at the next lease().
    etcd.onReplaced(
        () -> {
          stopKeepAlive();
          if (leaseId != 0) {
            lost = true;
          }
        });
  }

  /** Runs {@code listener} when the lease is noticed lost. */
  void onLost(Runnable listener) {
    this.onLost = listener;
  }

  /** The lease to write under: the current one if it lives, else a new one. */
  Lease lease() throws RegistryException {
    synchronized (etcd) {
      if (leaseId != 0 && !lost) {
        return new Lease(leaseId, false);
      }
      if (leaseId != 0 && keepAlive && ttlOf(leaseId) > 0) {
        // The keep-alive stream ended but the lease lives on: resume keeping it alive.
        startKeepAlive(leaseId);
        return new Lease(leaseId, false);
      }
      stopKeepAlive();
      long granted = etcd.await("grant a lease", etcd.leases().grant(ttlSeconds)).getID();
      leaseId = granted;
      lost = false;
      if (keepAlive) {
        startKeepAlive(granted);
      }
      return new Lease(granted, true);
    }
  }

  /** Revokes {@code lease} (and stops keeping it alive if it is ours); gone already is fine. */
  void revoke(long lease) throws RegistryException {
    synchronized (etcd) {
      if (lease == leaseId) {
        stopKeepAlive();
        leaseId = 0;
      }
      try {
        etcd.await("revoke lease " + Long.toHexString(lease), etcd.leases().revoke(lease));
      } catch (RegistryException e) {
        if (!String.valueOf(e.getMessage()).contains("lease not found")) {
          throw e;
        }
      }
    }
  }

  /** The seconds left on {@code lease}, or -1 when it is gone. */
  long ttlOf(long lease) throws RegistryException {
    return etcd.await(
            "look up lease " + Long.toHexString(lease),
            etcd.leases().timeToLive(lease, LeaseOption.DEFAULT))
        .getTTL();
  }

  /** Notes {@code lease} lost if it is the current one (etcd said so, or its stream ended). */
  void markLost(long lease) {
    if (lease == leaseId && !lost) {
      lost = true;
      onLost.run();
    }
  }

  /** Stops keeping the lease alive (closing). */
  void stop() {
    synchronized (etcd) {
      stopKeepAlive();
    }
  }

  private void startKeepAlive(long lease) {
    stopKeepAlive();
    lost = false;
    keeper =
        etcd.leases()
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
}
