package com.proposalsapp.registrar.core;

/** Where the router reads the topology from (etcd). */
public interface RouteSource {

  /** The master key and the instance records under the master name, read at one revision. */
  RouteView view() throws RegistryException;

  /** Calls {@code listener} whenever something under the master name may have changed. */
  void watchChanges(Runnable listener);
}
