package com.proposalsapp.registrar.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What each listener should route to, by address and weight.
 *
 * @param write the write listener's one server (empty, or one address with weight 1)
 * @param read the read pool: address to weight, in instance id order
 * @param ignored one line per instance record left out and why (not an IP address, a duplicate)
 */
public record DesiredRoutes(
    Map<HostPort, Integer> write, Map<HostPort, Integer> read, List<String> ignored) {

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

  public DesiredRoutes {
    write = Collections.unmodifiableMap(new LinkedHashMap<>(write));
    read = Collections.unmodifiableMap(new LinkedHashMap<>(read));
    ignored = List.copyOf(ignored);
  }

  /** Routes to nothing at all. */
  public static DesiredRoutes none() {
    return new DesiredRoutes(Map.of(), Map.of(), List.of());
  }

  /** The servers of one listener. */
  public Map<HostPort, Integer> of(Listener listener) {
    return listener == Listener.WRITE ? write : read;
  }

  /**
   * Writes go to the instance the master key names, and only while that instance's own record says
   * {@code master} at the same address; reads go to every {@code master} or {@code replica} (never
   * {@code syncing} or {@code stale}), weighted by datacenter.
   */
  public static DesiredRoutes from(RouteView view, RoutePolicy policy) {
    List<String> ignored = new ArrayList<>();
    List<InstanceRecord> usable = new ArrayList<>();
    Map<HostPort, String> seen = new LinkedHashMap<>();
    List<InstanceRecord> byId = new ArrayList<>(view.instances());
    byId.sort(Comparator.comparing(InstanceRecord::id));
    for (InstanceRecord r : byId) {
      if (!isIpLiteral(r.host())) {
        ignored.add(
            "instance "
                + r.id()
                + ": host '"
                + r.host()
                + "' is not an IP address (HAProxy's"
                + " Runtime API takes addresses only)");
        continue;
      }
      String other = seen.putIfAbsent(r.address(), r.id());
      if (other != null) {
        ignored.add("instance " + r.id() + ": address " + r.address() + " is also " + other);
        continue;
      }
      usable.add(r);
    }
    Map<HostPort, Integer> write = new LinkedHashMap<>();
    MasterRecord m = view.master();
    if (m != null) {
      usable.stream()
          .filter(r -> r.id().equals(m.id()) && r.role() == Role.MASTER)
          .filter(r -> r.host().equals(m.host()) && r.port() == m.port())
          .findFirst()
          .ifPresent(r -> write.put(r.address(), 1));
    }
    Map<HostPort, Integer> read = new LinkedHashMap<>();
    for (InstanceRecord r : usable) {
      if (r.role() == Role.MASTER || r.role() == Role.REPLICA) {
        read.put(r.address(), policy.weightOf(r.dc()));
      }
    }
    return new DesiredRoutes(write, read, ignored);
  }

  private static boolean isIpLiteral(String host) {
    if (IPV4.matcher(host).matches()) {
      for (String part : host.split("\\.")) {
        if (Integer.parseInt(part) > 255) {
          return false;
        }
      }
      return true;
    }
    return IPV6.matcher(host).matches();
  }
}
