package com.proposalsapp.registrar.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts {@code redis-registrar run} beside a sandbox's Redis number {@code index}, in datacenter
 * {@code dc<index + 1>}, the way an operator would.
 */
final class Agents {

  private Agents() {}

  static String dc(int index) {
    return "dc" + (index + 1);
  }

  /** The default id of the agent beside Redis number {@code index}. */
  static String id(Sandbox sandbox, int index) {
    return Records.defaultId(dc(index), sandbox.redis().get(index));
  }

  /**
   * Starts the agent with the sandbox's Redis, Sentinels and etcd, then {@code extraArgs} (timings,
   * for example); its output goes to {@code <sandbox>/agent-dc<n>.std{out,err}.log}.
   */
  static AgentProcess start(Sandbox sandbox, int index, String... extraArgs) {
    return start(sandbox, index, "agent-" + dc(index), sandbox.etcd().endpoint(), extraArgs);
  }

  /**
   * Starts the agent beside Redis number {@code index} talking to etcd at {@code etcdEndpoint}
   * (etcd itself or a {@link TcpProxy}), then {@code extraArgs}; its output goes to {@code
   * <sandbox>/<name>.std{out,err}.log}.
   */
  static AgentProcess start(
      Sandbox sandbox, int index, String name, String etcdEndpoint, String... extraArgs) {
    return start(
        sandbox, index, name, etcdEndpoint, sandbox.sentinelAddresses(), Map.of(), extraArgs);
  }

  /**
   * The one builder of the agent's command line: {@code run --dc dc<index + 1> --redis <Redis
   * number index> --sentinels <sentinels> --etcd <etcdEndpoint>}, then {@code extraArgs}, with
   * {@code env} added to the environment; output goes to {@code <sandbox>/<name>.std{out,err}.log}.
   */
  static AgentProcess start(
      Sandbox sandbox,
      int index,
      String name,
      String etcdEndpoint,
      String sentinels,
      Map<String, String> env,
      String... extraArgs) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "run",
                "--dc",
                dc(index),
                "--redis",
                sandbox.redis().get(index).address(),
                "--sentinels",
                sentinels,
                "--etcd",
                etcdEndpoint,
                "--http", // several agents on one machine: each on a free port
                "127.0.0.1:0"));
    args.addAll(List.of(extraArgs));
    return AgentProcess.start(sandbox.dir(), name, env, args.toArray(String[]::new));
  }
}
