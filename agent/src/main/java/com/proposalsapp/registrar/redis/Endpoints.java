package com.proposalsapp.registrar.redis;

import com.proposalsapp.registrar.core.HostPort;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Compares addresses as endpoints, not strings: {@code localhost:6379} and {@code 127.0.0.1:6379}
 * are one Redis. Names are resolved at each comparison (the JVM caches lookups for 30 s), so a DNS
 * change is followed; only addresses that differ as text with the same port are resolved.
 */
final class Endpoints {

  private Endpoints() {}

  /** Whether {@code a} and {@code b} have the same port and share an IP address. */
  static boolean same(HostPort a, HostPort b) {
    if (a.equals(b)) {
      return true;
    }
    if (a.port() != b.port()) {
      return false;
    }
    try {
      Set<InetAddress> x = new HashSet<>(Arrays.asList(InetAddress.getAllByName(a.host())));
      for (InetAddress y : InetAddress.getAllByName(b.host())) {
        if (x.contains(y)) {
          return true;
        }
      }
    } catch (UnknownHostException | SecurityException e) {
      return false;
    }
    return false;
  }

  /**
   * {@code reported} as the first of {@code spellings} that is the same endpoint spells it, so that
   * what Sentinel and INFO report compares equal to what the operator configured; else itself.
   */
  static HostPort spelledAs(HostPort reported, List<HostPort> spellings) {
    if (reported == null) {
      return null;
    }
    for (HostPort s : spellings) {
      if (s != null && same(reported, s)) {
        return s;
      }
    }
    return reported;
  }
}
