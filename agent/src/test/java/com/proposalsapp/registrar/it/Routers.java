package com.proposalsapp.registrar.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts the routing tier the way an operator would: HAProxy on the configuration that {@code
 * redis-registrar route --print-haproxy-config} prints, and {@code redis-registrar route} beside
 * it.
 */
final class Routers {

  private Routers() {}

  /** HAProxy on the printed configuration for its ports and socket, with {@code slots} slots. */
  static HaproxyServer startHaproxy(Sandbox sandbox, String name, int slots) {
    return sandbox.startHaproxy(name, h -> printedConfig(h, slots));
  }

  /** What {@code route --print-haproxy-config} prints for {@code haproxy}; fails on an error. */
  static String printedConfig(HaproxyServer haproxy, int slots) {
    AgentProcess.Result r =
        AgentProcess.run(
            Duration.ofSeconds(30),
            Map.of(),
            "route",
            "--print-haproxy-config",
            "--haproxy-socket",
            haproxy.socket().toString(),
            "--write-bind",
            haproxy.writeAddress(),
            "--read-bind",
            haproxy.readAddress(),
            "--slots",
            Integer.toString(slots));
    if (r.exitCode() != 0) {
      throw new IllegalStateException(
          "route --print-haproxy-config exited " + r.exitCode() + ": " + r.stderr());
    }
    return r.stdout();
  }

  /**
   * Starts {@code route --dc <dc>} against the sandbox's etcd and {@code haproxy}'s socket, then
   * {@code extraArgs}; its output goes to {@code <sandbox>/<name>.std{out,err}.log}.
   */
  static AgentProcess start(
      Sandbox sandbox, HaproxyServer haproxy, String name, String dc, String... extraArgs) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "route",
                "--dc",
                dc,
                "--etcd",
                sandbox.etcd().endpoint(),
                "--haproxy-socket",
                haproxy.socket().toString(),
                "--http", // beside other routers and agents: a free port
                "127.0.0.1:0"));
    args.addAll(List.of(extraArgs));
    return AgentProcess.start(sandbox.dir(), name, Map.of(), args.toArray(String[]::new));
  }
}
