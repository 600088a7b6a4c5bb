package com.proposalsapp.registrar.core;

import java.util.List;

/** The load balancer the router drives (HAProxy through its Runtime API). */
public interface Balancer {

  /** Every server slot of both listeners, in slot order. */
  List<ServerSlot> slots() throws BalancerException;

  /** Applies the commands in order, all in one request where the balancer allows it. */
  void apply(List<SlotChange> commands) throws BalancerException;
}
