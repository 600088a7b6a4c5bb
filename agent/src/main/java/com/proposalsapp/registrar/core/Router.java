package com.proposalsapp.registrar.core;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One routing cycle: read the registry (when asked), read the load balancer's slots, apply the
 * difference. While the registry is away the last routes read stay the goal, so a backend is never
 * emptied because etcd is unreachable, and a restarted load balancer is brought back to them.
 */
public final class Router {

  private static final Logger log = LoggerFactory.getLogger(Router.class);

  /**
   * The result of one cycle.
   *
   * @param registryError why the registry could not be read; null when it was read or not asked
   * @param balancerError why the load balancer could not be read or changed; null when it was
   * @param applied how many commands were applied
   */
  public record Outcome(String registryError, String balancerError, int applied) {}

  private final RouteSource source;
  private final Balancer balancer;
  private final RoutePolicy policy;
  private final Clock clock;

  private DesiredRoutes routes;
  private String etcdError = "not read yet";
  private boolean etcdDownReported;
  private boolean routesChanged;
  private String haproxyError;
  private List<ServerSlot> slots = List.of();
  private List<String> problems = List.of();
  private final Set<String> reported = new HashSet<>();
  private long changesApplied;
  private long applies;
  private Duration lastApplyLatency = Duration.ZERO;
  private Duration applyLatencyTotal = Duration.ZERO;
  private volatile RouterStatus status;

  public Router(RouteSource source, Balancer balancer, RoutePolicy policy, Clock clock) {
    this.source = source;
    this.balancer = balancer;
    this.policy = policy;
    this.clock = clock;
    this.status = RouterStatus.initial(clock.instant());
  }

  /** The snapshot of the last cycle. */
  public RouterStatus status() {
    return status;
  }

  /** Runs one cycle, reading the registry first if {@code readRegistry}; never throws. */
  public Outcome reconcile(boolean readRegistry) {
    long started = System.nanoTime();
    String registryError = null;
    routesChanged = false;
    if (readRegistry) {
      registryError = readRegistry();
    }
    String balancerError = null;
    int applied = 0;
    List<String> planProblems = List.of();
    try {
      slots = balancer.slots();
      if (routes != null) {
        RoutePlan plan = RoutePlan.of(slots, routes);
        planProblems = plan.problems();
        if (!plan.isEmpty()) {
          balancer.apply(plan.commands());
          applied = plan.commands().size();
          Duration latency = Duration.ofNanos(System.nanoTime() - started);
          changesApplied += applied;
          applies++;
          lastApplyLatency = latency;
          applyLatencyTotal = applyLatencyTotal.plus(latency);
          if (routesChanged) {
            log.debug("applied {} in {} ms", plan.commands(), latency.toMillis());
          } else {
            log.info(
                "HAProxy differed from the routes (restarted, or changed by hand): re-applied {}"
                    + " changes in {} ms",
                applied,
                latency.toMillis());
          }
          slots = balancer.slots();
        }
      }
    } catch (BalancerException | RuntimeException e) {
      balancerError = e.getMessage() == null ? e.toString() : e.getMessage();
    }
    reportBalancer(balancerError);
    problems = new ArrayList<>(planProblems);
    if (routes != null) {
      problems.addAll(0, routes.ignored());
    }
    reportProblems(problems);
    status =
        new RouterStatus(
            clock.instant(),
            etcdError,
            haproxyError,
            routes,
            slots,
            changesApplied,
            applies,
            lastApplyLatency,
            applyLatencyTotal,
            problems);
    return new Outcome(registryError, balancerError, applied);
  }

  private String readRegistry() {
    RouteView view;
    try {
      view = source.view();
    } catch (RegistryException | RuntimeException e) {
      String why = e.getMessage() == null ? e.toString() : e.getMessage();
      if (!etcdDownReported) {
        etcdDownReported = true;
        log.warn(
            "etcd unavailable: {}; {}",
            why,
            routes == null
                ? "HAProxy is left as it is until etcd answers"
                : "keeping the last routes read (write " + describe(routes.write()) + ")");
      }
      etcdError = why;
      return why;
    }
    if (etcdDownReported) {
      etcdDownReported = false;
      log.info("etcd reachable again");
    }
    etcdError = null;
    for (String bad : view.invalid()) {
      if (reported.add("invalid " + bad)) {
        log.warn("ignoring {}", bad);
      }
    }
    DesiredRoutes next = DesiredRoutes.from(view, policy);
    if (routes == null || !routes.write().equals(next.write())) {
      log.info(
          "write listener -> {}",
          next.write().isEmpty()
              ? "no server (no confirmed master: writes fail fast)"
              : describe(next.write()) + masterId(view));
    }
    if (routes == null || !routes.read().equals(next.read())) {
      log.info("read listener -> {}", next.read().isEmpty() ? "no server" : next.read());
    }
    routesChanged = !next.equals(routes);
    routes = next;
    return null;
  }

  private static String masterId(RouteView view) {
    return view.master() == null ? "" : " (" + view.master().id() + ")";
  }

  private static String describe(Map<HostPort, Integer> servers) {
    return servers.isEmpty() ? "none" : servers.keySet().iterator().next().toString();
  }

  private void reportBalancer(String error) {
    if (error != null && haproxyError == null) {
      log.warn("HAProxy unavailable: {} (retrying)", error);
    } else if (error == null && haproxyError != null) {
      log.info("HAProxy reachable again");
    }
    haproxyError = error;
  }

  private void reportProblems(List<String> now) {
    for (String p : now) {
      if (reported.add("problem " + p)) {
        log.error("{}", p);
      }
    }
    // A problem that went away may be logged again if it comes back.
    reported.removeIf(r -> r.startsWith("problem ") && !now.contains(r.substring(8)));
  }
}
