package com.proposalsapp.registrar.core;

/**
 * Whether two addresses reach the same server: {@code localhost:6379} and {@code 127.0.0.1:6379}
 * do, and so do a name and the address DNS gives it now.
 */
public interface Endpoints {

  /** Whether {@code a} and {@code b} have the same port and hosts that name the same machine. */
  boolean same(HostPort a, HostPort b);

  /** Addresses compared as written, host names without case: when nothing can be resolved. */
  Endpoints LITERAL = (a, b) -> a.port() == b.port() && a.host().equalsIgnoreCase(b.host());
}
