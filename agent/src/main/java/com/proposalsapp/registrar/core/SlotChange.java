package com.proposalsapp.registrar.core;

/** One change to a server slot; the load balancer's adapter turns it into its own syntax. */
public sealed interface SlotChange {

  Listener listener();

  String slot();

  /** Points the slot at another address. */
  record SetAddress(Listener listener, String slot, HostPort address) implements SlotChange {}

  /** Changes the slot's weight. */
  record SetWeight(Listener listener, String slot, int weight) implements SlotChange {}

  /** Makes the slot ready, draining or in maintenance. */
  record SetState(Listener listener, String slot, SlotState state) implements SlotChange {}

  /** Closes every connection through the slot, so that clients reconnect elsewhere. */
  record ShutdownSessions(Listener listener, String slot) implements SlotChange {}
}
