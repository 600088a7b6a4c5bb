package com.proposalsapp.registrar.core;

import java.util.List;
import java.util.Optional;

/** The store that publishes instance records on a lease (etcd in production). */
public interface Registry extends AutoCloseable {

  /** Returns the lease to write under, granting and keeping alive a new one if none is alive. */
  Lease lease() throws RegistryException;

  /** Reads the record published for {@code id}, if any. */
  Optional<Published> read(String id) throws RegistryException;

  /** Writes {@code record} bound to {@code lease}. */
  void write(InstanceRecord record, long lease) throws RegistryException;

  /**
   * Writes {@code record} (a master's) and, in the same transaction when the key is absent, the
   * master key for it, as {@link #claimMaster} would; the record is written either way. True if the
   * master key names this instance afterwards.
   */
  boolean writeAndClaimMaster(InstanceRecord record, long lease) throws RegistryException;

  /**
   * Deletes the master key if it is bound to {@code lease} and writes {@code record}, in one
   * transaction when it can; the key is deleted first otherwise, so that it never names an instance
   * whose record no longer says master.
   */
  void writeAndReleaseMaster(InstanceRecord record, long lease) throws RegistryException;

  /** Deletes the record of {@code id} only if it is bound to {@code lease}; true if deleted. */
  boolean delete(String id, long lease) throws RegistryException;

  /** Deletes the record of {@code id} whoever wrote it, returning what was removed. */
  Optional<Published> forceDelete(String id) throws RegistryException;

  /** Revokes {@code lease}, removing every key bound to it. */
  void revoke(long lease) throws RegistryException;

  /** Every instance record of this master name (its own included), without lease look-ups. */
  List<Published> instances() throws RegistryException;

  /**
   * Writes the master key bound to {@code lease} if it is absent, already this instance's, or holds
   * a lower epoch; true if the key now names this instance.
   */
  boolean claimMaster(MasterRecord record, long lease) throws RegistryException;

  /** Deletes the master key only if it is bound to {@code lease}; true if deleted. */
  boolean releaseMaster(long lease) throws RegistryException;

  /** Calls {@code listener} whenever anything under this master name changes in the store. */
  void watchChanges(Runnable listener);

  /** Lists every record under the prefix, with the time left on its lease. */
  List<Published> list() throws RegistryException;

  /**
   * Calls {@code listener} when the lease is found lost, so the owner can act before its next poll.
   */
  void onLeaseLost(Runnable listener);

  /** The full key of {@code id}. */
  String keyOf(String id);

  @Override
  void close();
}
