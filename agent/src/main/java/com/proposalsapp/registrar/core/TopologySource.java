package com.proposalsapp.registrar.core;

/** Where observations of Redis and its Sentinels come from. */
public interface TopologySource extends AutoCloseable {

  /** Asks Redis and every Sentinel now; never throws, failures are part of the observation. */
  Observation observe();

  @Override
  void close();
}
