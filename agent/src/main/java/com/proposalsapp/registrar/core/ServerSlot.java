package com.proposalsapp.registrar.core;

/**
 * One server slot of a listener's backend as the load balancer reports it.
 *
 * @param name the slot's name in its backend ({@code s1}, {@code s2}, ...)
 * @param address where the slot points; a placeholder while it is free
 * @param weight the slot's weight as set by the router (or the configuration)
 */
public record ServerSlot(
    Listener listener, String name, HostPort address, SlotState state, int weight) {

  /** Whether it takes new connections. */
  public boolean ready() {
    return state == SlotState.READY;
  }
}
