package com.proposalsapp.registrar.redis;

import com.proposalsapp.registrar.core.Endpoints;
import com.proposalsapp.registrar.core.HostPort;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;

/**
 * Endpoints compared through name resolution: two addresses are the same when their ports are and
 * their hosts resolve to a common address. Resolved anew at each comparison, through the JVM's
 * cache ({@code networkaddress.cache.ttl}, 30 s by default; a failed lookup 10 s), so a changed DNS
 * record is followed within that time; a name that does not resolve matches only itself.
 */
public final class DnsEndpoints implements Endpoints {

  @Override
  public boolean same(HostPort a, HostPort b) {
    if (a.port() != b.port()) {
      return false;
    }
    if (a.host().equalsIgnoreCase(b.host())) {
      return true;
    }
    Set<InetAddress> first = resolve(a.host());
    return !first.isEmpty() && !Collections.disjoint(first, resolve(b.host()));
  }

  private static Set<InetAddress> resolve(String host) {
    try {
      return new HashSet<>(Arrays.asList(InetAddress.getAllByName(host)));
    } catch (UnknownHostException | SecurityException e) {
      return Set.of();
    }
  }
}
