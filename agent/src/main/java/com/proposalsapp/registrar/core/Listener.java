package com.proposalsapp.registrar.core;

/** The router's two listeners: one for writes (the master alone), one for reads (the pool). */
public enum Listener {
  /** Writes, and reads that must see them: exactly the confirmed master, or nothing. */
  WRITE,
  /** Cache reads: the master and every usable replica, weighted towards the local datacenter. */
  READ
}
