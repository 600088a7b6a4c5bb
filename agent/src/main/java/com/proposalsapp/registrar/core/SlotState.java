package com.proposalsapp.registrar.core;

import java.util.Locale;

/** What a load balancer does with one server slot. */
public enum SlotState {
  /** Takes new connections. */
  READY,
  /** Keeps its connections but takes no new ones. */
  DRAIN,
  /** Takes nothing: a free slot, or an instance out of the pool. */
  MAINT;

  /** The lower-case name used in output and in HAProxy's Runtime API. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
