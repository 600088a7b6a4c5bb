package com.proposalsapp.registrar.core;

/**
 * How the router weighs instances.
 *
 * @param localDc the datacenter the router runs in
 * @param localWeight the read weight of instances in {@code localDc}
 * @param remoteWeight the read weight of instances elsewhere
 */
public record RoutePolicy(String localDc, int localWeight, int remoteWeight) {

  /** The read weight of an instance in {@code dc}. */
  public int weightOf(String dc) {
    return localDc.equals(dc) ? localWeight : remoteWeight;
  }
}
