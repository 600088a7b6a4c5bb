package com.proposalsapp.registrar.core;

import java.util.Locale;

/** The routable verdict published for an instance; never a bare copy of what INFO says. */
public enum Role {
  /** INFO says master and the Sentinels confirm this address as the master. */
  MASTER,
  /** INFO says replica, the link is up, and it follows the confirmed master. */
  REPLICA,
  /** A replica that is not yet usable: link down, sync in progress, or following another master. */
  SYNCING,
  /** INFO says master but the Sentinels do not confirm it: must never be routed writes. */
  STALE;

  /** The lower-case name used in etcd values and output. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses the lower-case wire name. */
  public static Role fromWire(String s) {
    return valueOf(s.toUpperCase(Locale.ROOT));
  }
}
