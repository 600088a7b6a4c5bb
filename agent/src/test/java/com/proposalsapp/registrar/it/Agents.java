package com.proposalsapp.registrar.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts {@code redis-registrar run} beside a sandbox's Redis number {@code index}, in datacenter
 * {@code dc<index + 1>}, the way an operator would.
 */
final class Agents {

  private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(60);

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
   * Starts {@code run --dc dc<index + 1> --redis <Redis number index> --sentinels <sentinels>
   * --etcd <etcdEndpoint>}, then {@code extraArgs}, with {@code env} added to the environment;
   * output goes to {@code <sandbox>/<name>.std{out,err}.log}.
   */
  static AgentProcess start(
      Sandbox sandbox,
      int index,
      String name,
      String etcdEndpoint,
      String sentinels,
      Map<String, String> env,
      String... extraArgs) {
    return start(
        sandbox,
        dc(index),
        sandbox.redis().get(index).address(),
        name,
        etcdEndpoint,
        sentinels,
        env,
        extraArgs);
  }

  /**
   * Starts {@code run --dc <dc> --redis <redis> --sentinels <sentinels> --etcd <etcdEndpoint>},
   * then {@code extraArgs}, with {@code env} added to the environment; output goes to {@code
   * <sandbox>/<name>.std{out,err}.log}. For a Redis named otherwise than the harness does ({@code
   * localhost}, a name from a hosts file).
   */
  static AgentProcess start(
      Sandbox sandbox,
      String dc,
      String redis,
      String name,
      String etcdEndpoint,
      String sentinels,
      Map<String, String> env,
      String... extraArgs) {
    List<String> args = command("run", dc, redis, etcdEndpoint, sentinels);
    args.addAll(List.of("--http", "127.0.0.1:0")); // several agents on one machine: free ports
    args.addAll(List.of(extraArgs));
    return AgentProcess.start(sandbox.dir(), name, env, args.toArray(String[]::new));
  }

  /**
   * Runs {@code check} with what {@link #start(Sandbox, int, String...)} would give the agent
   * beside Redis number {@code index}, then {@code extraArgs}, with {@code env} added.
   */
  static AgentProcess.Result check(
      Sandbox sandbox, int index, Map<String, String> env, String... extraArgs) {
    List<String> args =
        command(
            "check",
            dc(index),
            sandbox.redis().get(index).address(),
            sandbox.etcd().endpoint(),
            sandbox.sentinelAddresses());
    args.addAll(List.of(extraArgs));
    return AgentProcess.run(CHECK_TIMEOUT, env, args.toArray(String[]::new));
  }

  /**
   * The one builder of the agent's command line: {@code <command> --dc <dc> --redis <redis>
   * --sentinels <sentinels> --etcd <etcdEndpoint>}.
   */
  private static List<String> command(
      String command, String dc, String redis, String etcdEndpoint, String sentinels) {
    return new ArrayList<>(
        List.of(
            command,
            "--dc",
            dc,
            "--redis",
            redis,
            "--sentinels",
            sentinels,
            "--etcd",
            etcdEndpoint));
  }
}
