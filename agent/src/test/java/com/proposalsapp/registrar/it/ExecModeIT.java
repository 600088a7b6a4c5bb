package com.proposalsapp.registrar.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code redis-registrar exec -- redis-server ...}: the agent as the Redis container's entrypoint,
 * with a real {@code redis-server} (or a small {@code sh} wrapper around one) as the child of the
 * real agent JVM.
 *
 * <p>No Sentinel answers (the configured one is a port nobody listens on) and {@code
 * --no-require-sentinel-majority} is set, so the lone Redis is published as {@code master}. Each
 * test uses its own {@code --master-name}, so tests cannot see or fence each other's records on the
 * shared etcd. {@code --down-after 30s} makes sure a record that disappears within seconds of the
 * child dying was removed by the child-exit path, not by the agent noticing Redis is down.
 */
class ExecModeIT {
  @RegisterExtension
  static final SandboxExtension SANDBOX =
      SandboxExtension.of(Sandbox.Options.defaults().withoutRedis());

  private static final String DC = "dc1";
  private static final Duration DRAIN = Duration.ofSeconds(1);
  private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(1);
  private static final Duration WAIT = Duration.ofSeconds(20);

  /** How much earlier than the drain delay Redis may be seen to stop, for sampling error. */
  private static final Duration SLACK = Duration.ofMillis(150);

  private static final String[] TIMING = {
    "--lease-ttl", "3s", "--poll-interval", "200ms", "--down-after", "30s"
  };

  /** Redis's log line: {@code <pid>:<role> 25 Nov 2026 18:24:22.763 * <message>}. */
  private static final Pattern REDIS_LOG =
      Pattern.compile(
          "^(\\d+):([A-Za-z]) (\\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2}\\.\\d{3}) [.\\-*#]"
              + " (.*)$");

  private static final DateTimeFormatter REDIS_TIME =
      DateTimeFormatter.ofPattern("dd MMM yyyy HH:mm:ss.SSS", Locale.ENGLISH);

  /**
   * Runs "$@" (redis-server) in the background and stays its parent, so a test can see what signals
   * the agent forwards. SIGHUP: prints "wrapper: SIGHUP n" on stdout and stderr and keeps running.
   * SIGINT/SIGTERM: forwarded to Redis (SIGTERM ignored if WRAPPER_IGNORE_TERM=1). SIGUSR1:
   * SIGKILLs Redis and exits 3 (a crash). Otherwise exits with Redis's status.
   */
  private static final String WRAPPER =
      """
      #!/bin/sh
      hups=0
      pid=
      trap 'hups=$((hups + 1)); echo "wrapper: SIGHUP $hups"; echo "wrapper: SIGHUP $hups" >&2' HUP
      trap 'echo "wrapper: SIGINT"; kill -INT $pid' INT
      if [ "${WRAPPER_IGNORE_TERM:-0}" = 1 ]; then
        trap '' TERM
      else
        trap 'echo "wrapper: SIGTERM"; kill -TERM $pid' TERM
      fi
      trap 'echo "wrapper: SIGUSR1, crashing"; kill -KILL $pid; wait $pid; exit 3' USR1
      "$@" &
      pid=$!
      echo "wrapper: started $pid"
      while :; do
        wait $pid
        status=$?
        kill -0 $pid 2>/dev/null || exit $status
      done
      """;

  private static Sandbox sandbox;
  private static EtcdWatch watch;
  private static Path wrapper;

  /** A wall-clock instant and the nanoTime read with it, to put watch times on Redis's clock. */
  private static final long ANCHOR_MILLIS = System.currentTimeMillis();

  private static final long ANCHOR_NANOS = System.nanoTime();

  private final List<AgentProcess> agents = new ArrayList<>();
  private final List<Long> strays = new ArrayList<>();
  private String test;

  @BeforeAll
  static void startEtcd() throws IOException {
    sandbox = SANDBOX.get();
    watch =
        EtcdWatch.start(sandbox.etcd(), Records.PREFIX + "/", sandbox.dir().resolve("watch.log"));
    wrapper = sandbox.dir().resolve("wrapper.sh");
    Files.writeString(wrapper, WRAPPER, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @AfterAll
  static void stopEtcd() {
    if (watch != null) {
      watch.close();
    }
  }

  @AfterEach
  void killLeftovers() {
    agents.forEach(AgentProcess::close);
    for (long pid : strays) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  // --- (a) ---------------------------------------------------------------------------------

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void publishesOnlyOnceRedisAnswersAndPassesRedisStdoutThroughUntouched() {
    test = "publish";
    int port = Ports.free();
    String key = key(port);
    // Redis comes up two seconds late: the record must not appear before it answers.
    List<String> child = new ArrayList<>(List.of("sh", "-c", "sleep 2; exec \"$@\"", "sh"));
    child.addAll(redis(port));
    long t0 = System.nanoTime();
    AgentProcess agent = start(port, List.of(), Map.of(), child);

    AtomicLong lastDown = new AtomicLong(t0);
    long up =
        await("Redis answers PING")
            .atMost(WAIT)
            .pollDelay(Duration.ZERO)
            .pollInterval(Duration.ofMillis(20))
            .until(() -> pingedAt(port, lastDown), t -> t > 0);
    EtcdWatch.State published =
        watch.awaitFirst("record published", t0, WAIT, s -> s.entries().containsKey(key));
    System.out.printf(
        "ExecModeIT: Redis last seen down %d ms, up %d ms, record published %d ms after the agent"
            + " was started%n",
        millis(t0, lastDown.get()), millis(t0, up), millis(t0, published.seenNanos()));

    assertThat(millis(t0, lastDown.get()))
        .as("Redis was still down well after the agent started (the check below has teeth)")
        .isGreaterThan(1000);
    assertThat(published.seenNanos())
        .as("record published after the last time Redis did not answer")
        .isGreaterThan(lastDown.get());

    JsonNode record = Records.parse(published.value(key).orElseThrow());
    assertThat(record.path("id").asText()).isEqualTo(id(port));
    assertThat(record.path("dc").asText()).isEqualTo(DC);
    assertThat(record.path("host").asText()).isEqualTo("127.0.0.1");
    assertThat(record.path("port").asInt()).isEqualTo(port);
    assertThat(Records.role(record)).isEqualTo("master");

    // Redis's own log lines, on the agent's stdout, exactly as Redis wrote them; nothing else.
    long redisPid = onlyChild(agent).pid(); // sh exec'd redis-server: same pid
    String ready = awaitLine(agent.stdoutLines(), "Ready to accept connections", WAIT);
    assertThat(ready).matches(REDIS_LOG).startsWith(redisPid + ":M ");
    assertThat(agent.stdoutLines())
        .as("every stdout line is Redis's (pid %d)", redisPid)
        .isNotEmpty()
        .allSatisfy(l -> assertThat(l).startsWith(redisPid + ":"));
    assertThat(agent.stderrLines())
        .as("Redis's output does not leak into the agent's stderr")
        .noneMatch(l -> l.contains("Ready to accept connections"));

    agent.signal("TERM");
    assertThat(agent.waitForExit(WAIT)).isZero();
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aRedisThatDoesNotAnswerYetIsWaitedForAndReportedEveryTenSeconds() {
    test = "loading";
    int port = Ports.free();
    // A child that never listens: a Redis still loading a large data set looks the same.
    AgentProcess agent = start(port, List.of(), Map.of(), List.of("sh", "-c", "exec sleep 120"));

    String report = awaitLine(agent.stderrLines(), "has not answered PING", Duration.ofSeconds(15));
    assertThat(report)
        .contains("INFO", "sh pid=", "127.0.0.1:" + port, "for 10 s", "published once it does");
    assertThat(watch.states().get(watch.states().size() - 1).value(key(port))).isEmpty();

    agent.signal("TERM");
    assertThat(agent.waitForExit(WAIT)).as("the child's status: killed by SIGTERM").isEqualTo(143);
  }

  // --- (b) ---------------------------------------------------------------------------------

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void sigtermRemovesTheRecordThenDrainsThenStopsRedisAndExitsWithItsStatus() {
    test = "sigterm";
    int port = Ports.free();
    String key = key(port);
    AgentProcess agent =
        start(port, List.of("--drain-delay", DRAIN.toMillis() + "ms"), Map.of(), redis(port));
    awaitRecord(key);
    ProcessHandle redis = onlyChild(agent);
    assertThat(agent.stdoutLines())
        .as("the child is the redis-server whose log is on stdout")
        .anyMatch(l -> l.startsWith(redis.pid() + ":M ") && l.contains("Ready to accept"));

    long termSent = System.nanoTime();
    agent.signal("TERM");
    AtomicLong lastPong = new AtomicLong();
    long firstFail =
        await("Redis stops answering PING")
            .atMost(WAIT)
            .pollDelay(Duration.ZERO)
            .pollInterval(Duration.ofMillis(10))
            .until(() -> failedAt(port, lastPong), t -> t > 0);
    EtcdWatch.State gone = awaitGone(key, termSent);
    int status = agent.waitForExit(WAIT);

    long recordGone = gone.seenNanos();
    Optional<Long> shutdownLogged =
        redisLogMillis(agent, "User requested shutdown").map(ms -> ms - wallMillis(recordGone));
    System.out.printf(
        "ExecModeIT: SIGTERM -> record gone %d ms; record gone -> Redis last answered %d ms,"
            + " first refused %d ms, logged 'User requested shutdown' %s ms; agent exit %d%n",
        millis(termSent, recordGone),
        millis(recordGone, lastPong.get()),
        millis(recordGone, firstFail),
        shutdownLogged.map(String::valueOf).orElse("?"),
        status);

    assertThat(recordGone).as("record gone before Redis stopped answering").isLessThan(firstFail);
    assertThat(Duration.ofNanos(lastPong.get() - recordGone))
        .as("Redis kept answering for the drain delay after its record was gone")
        .isGreaterThanOrEqualTo(DRAIN.minus(SLACK));
    assertThat(shutdownLogged)
        .as("Redis began its shutdown only after the drain delay (its own log clock, ms)")
        .hasValueSatisfying(
            gap -> assertThat(gap).isGreaterThanOrEqualTo(DRAIN.minus(SLACK).toMillis()));
    assertThat(agent.stdoutLines()).anyMatch(l -> l.contains("Received SIGTERM"));
    assertThat(redis.isAlive()).isFalse();
    assertThat(status).as("agent exit status = Redis's after a clean SIGTERM shutdown").isZero();
  }

  // --- (c) ---------------------------------------------------------------------------------

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void redisKilledRemovesTheRecordAtOnceAndTheAgentExitsWithItsStatus() {
    test = "redis-killed";
    int port = Ports.free();
    String key = key(port);
    AgentProcess agent = start(port, List.of(), Map.of(), redis(port));
    awaitRecord(key);
    ProcessHandle redis = onlyChild(agent);

    long killed = System.nanoTime();
    Exec.signal(redis.pid(), "KILL");
    EtcdWatch.State gone = awaitGone(key, killed);
    int status = agent.waitForExit(WAIT);
    System.out.printf(
        "ExecModeIT: redis-server SIGKILLed -> record gone %d ms; agent exit %d%n",
        millis(killed, gone.seenNanos()), status);

    assertThat(Duration.ofNanos(gone.seenNanos() - killed))
        .as("record removed at once (--down-after is 30s)")
        .isLessThan(Duration.ofSeconds(3));
    assertThat(status).as("128 + SIGKILL, as the child died").isEqualTo(137);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aChildExitingWithStatus3RemovesTheRecordAtOnceAndTheAgentExits3() {
    test = "child-exit-3";
    int port = Ports.free();
    String key = key(port);
    AgentProcess agent = start(port, List.of(), Map.of(), wrapped(port));
    awaitRecord(key);
    ProcessHandle sh = onlyChild(agent);
    grandchildren(sh).forEach(p -> strays.add(p.pid()));

    long crashed = System.nanoTime();
    Exec.signal(sh.pid(), "USR1");
    EtcdWatch.State gone = awaitGone(key, crashed);
    int status = agent.waitForExit(WAIT);
    System.out.printf(
        "ExecModeIT: child exited 3 -> record gone %d ms; agent exit %d%n",
        millis(crashed, gone.seenNanos()), status);

    assertThat(agent.stdoutLines()).contains("wrapper: SIGUSR1, crashing");
    assertThat(Duration.ofNanos(gone.seenNanos() - crashed))
        .as("record removed at once (--down-after is 30s)")
        .isLessThan(Duration.ofSeconds(3));
    assertThat(status).isEqualTo(3);
  }

  // --- (d) ---------------------------------------------------------------------------------

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void sighupIsForwardedToTheChildAndTheAgentKeepsRunning() {
    test = "sighup";
    int port = Ports.free();
    String key = key(port);
    AgentProcess agent = start(port, List.of(), Map.of(), wrapped(port));
    String published = awaitRecord(key);
    long lease = sandbox.etcd().leaseOf(key);
    ProcessHandle sh = onlyChild(agent);
    grandchildren(sh).forEach(p -> strays.add(p.pid()));

    for (int n = 1; n <= 2; n++) {
      agent.signal("HUP");
      String line = "wrapper: SIGHUP " + n;
      await("child saw SIGHUP " + n)
          .atMost(WAIT)
          .until(() -> agent.stdoutLines().contains(line) && agent.stderrLines().contains(line));
    }
    await("agent, child and record unaffected by SIGHUP")
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                agent.isAlive()
                    && sh.isAlive()
                    && pings(port)
                    && sandbox.etcd().get(key).equals(Optional.of(published)));
    assertThat(sandbox.etcd().leaseOf(key)).isEqualTo(lease);
    assertThat(agent.stdoutLines()).doesNotContain("wrapper: SIGTERM", "wrapper: SIGINT");

    agent.signal("TERM");
    assertThat(agent.waitForExit(WAIT)).isZero();
    assertThat(agent.stdoutLines()).contains("wrapper: SIGTERM");
  }

  // --- (e) ---------------------------------------------------------------------------------

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void sigintIsForwardedAsSigint() {
    test = "sigint";
    int port = Ports.free();
    String key = key(port);
    AgentProcess agent = start(port, List.of(), Map.of(), redis(port));
    awaitRecord(key);
    ProcessHandle redis = onlyChild(agent);

    long intSent = System.nanoTime();
    agent.signal("INT");
    awaitGone(key, intSent);
    int status = agent.waitForExit(WAIT);

    assertThat(agent.stdoutLines())
        .as("Redis's own account of the signal it got")
        .anyMatch(l -> l.contains("Received SIGINT scheduling shutdown"))
        .noneMatch(l -> l.contains("Received SIGTERM"));
    assertThat(redis.isAlive()).isFalse();
    assertThat(status).isZero();
  }

  // --- (f) ---------------------------------------------------------------------------------

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aChildIgnoringSigtermIsKilledAfterTheChildTimeout() {
    test = "ignores-term";
    int port = Ports.free();
    String key = key(port);
    AgentProcess agent =
        start(
            port,
            List.of("--child-timeout", CHILD_TIMEOUT.toMillis() + "ms"),
            Map.of("WRAPPER_IGNORE_TERM", "1"),
            wrapped(port));
    awaitRecord(key);
    ProcessHandle sh = onlyChild(agent);
    // SIGKILL reaches only the direct child: Redis under the wrapper is orphaned, clean it up.
    grandchildren(sh).forEach(p -> strays.add(p.pid()));

    long termSent = System.nanoTime();
    agent.signal("TERM");
    EtcdWatch.State gone = awaitGone(key, termSent);
    long exited = awaitExit(agent);
    // The orphaned Redis still holds the agent's stdout open: end it so the output drains.
    strays.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    int status = agent.waitForExit(WAIT);
    System.out.printf(
        "ExecModeIT: TERM-ignoring child: SIGTERM -> record gone %d ms, agent exited %d ms,"
            + " status %d%n",
        millis(termSent, gone.seenNanos()), millis(termSent, exited), status);

    assertThat(status).as("128 + SIGKILL").isEqualTo(137);
    assertThat(Duration.ofNanos(exited - termSent))
        .as("SIGKILL after --child-timeout, not the 10s default")
        .isBetween(CHILD_TIMEOUT, CHILD_TIMEOUT.plusSeconds(5));
    assertThat(sh.isAlive()).isFalse();
    assertThat(agent.stderrLines()).anyMatch(l -> l.contains("SIGKILL"));
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aHungRedisIsKilledAfterTheChildTimeoutAndItsRecordStillRemoved() {
    test = "hung-redis";
    int port = Ports.free();
    String key = key(port);
    AgentProcess agent =
        start(
            port,
            List.of("--child-timeout", CHILD_TIMEOUT.toMillis() + "ms"),
            Map.of(),
            redis(port));
    awaitRecord(key);
    ProcessHandle redis = onlyChild(agent);
    // A stopped process cannot act on SIGTERM (it stays pending) but SIGKILL ends it.
    Exec.signal(redis.pid(), "STOP");

    long termSent = System.nanoTime();
    agent.signal("TERM");
    EtcdWatch.State gone = awaitGone(key, termSent);
    long exited = awaitExit(agent);
    int status = agent.waitForExit(WAIT);
    System.out.printf(
        "ExecModeIT: hung (SIGSTOPped) Redis: SIGTERM -> record gone %d ms, agent exited %d ms,"
            + " status %d%n",
        millis(termSent, gone.seenNanos()), millis(termSent, exited), status);

    assertThat(Duration.ofNanos(gone.seenNanos() - termSent))
        .as("record removed at SIGTERM, not left to expire with the lease")
        .isLessThan(Duration.ofSeconds(3));
    assertThat(status).isEqualTo(137);
    assertThat(Duration.ofNanos(exited - termSent))
        .as("SIGKILL after --child-timeout, not the 10s default")
        .isBetween(CHILD_TIMEOUT, CHILD_TIMEOUT.plusSeconds(5));
    assertThat(redis.isAlive()).isFalse();
  }

  // --- helpers -----------------------------------------------------------------------------

  private String masterName() {
    return "exec-" + test;
  }

  private static String id(int port) {
    return DC + "-127.0.0.1-" + port;
  }

  private String key(int port) {
    return Records.instanceKey(masterName(), id(port));
  }

  /** redis-server on {@code port}, logging to stdout, no persistence, in its own directory. */
  private List<String> redis(int port) {
    Path dir = sandbox.dir().resolve(test + "-redis");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return List.of(
        "redis-server",
        "--port",
        Integer.toString(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        dir.toString());
  }

  private List<String> wrapped(int port) {
    List<String> command = new ArrayList<>(List.of(wrapper.toString()));
    command.addAll(redis(port));
    return command;
  }

  private AgentProcess start(
      int port, List<String> extra, Map<String, String> env, List<String> child) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "exec",
                "--dc",
                DC,
                "--redis",
                "127.0.0.1:" + port,
                "--sentinels",
                "127.0.0.1:" + Ports.free(),
                "--no-require-sentinel-majority",
                "--etcd",
                sandbox.etcd().endpoint(),
                "--master-name",
                masterName()));
    args.addAll(List.of(TIMING));
    args.addAll(extra);
    args.add("--");
    args.addAll(child);
    AgentProcess agent =
        AgentProcess.start(sandbox.dir(), "agent-" + test, env, args.toArray(String[]::new));
    agents.add(agent);
    return agent;
  }

  private String awaitRecord(String key) {
    return await("record " + key)
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> watch.states().get(watch.states().size() - 1).value(key), Optional::isPresent)
        .orElseThrow();
  }

  /** Waits until the watch shows {@code key} gone, looking at states seen after {@code since}. */
  private EtcdWatch.State awaitGone(String key, long since) {
    return watch.awaitFirst("record gone", since, WAIT, s -> !s.entries().containsKey(key));
  }

  /** Waits for the first of {@code lines} (a live view of an output) containing {@code text}. */
  private static String awaitLine(List<String> lines, String text, Duration atMost) {
    return await("a line with '" + text + "'")
        .atMost(atMost)
        .until(() -> lines.stream().filter(l -> l.contains(text)).findFirst(), Optional::isPresent)
        .orElseThrow();
  }

  /** The agent's one child process (Redis, or the wrapper around it). */
  private static ProcessHandle onlyChild(AgentProcess agent) {
    ProcessHandle self = ProcessHandle.of(agent.pid()).orElseThrow();
    return await("the agent's child")
        .atMost(WAIT)
        .until(() -> self.children().toList(), l -> l.size() == 1)
        .get(0);
  }

  /** Waits until the agent's process has exited and returns when that was seen (nanoTime). */
  private static long awaitExit(AgentProcess agent) {
    return await("agent exited")
        .atMost(WAIT)
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(10))
        .until(() -> agent.isAlive() ? 0L : System.nanoTime(), t -> t > 0);
  }

  private static List<ProcessHandle> grandchildren(ProcessHandle sh) {
    return await("the wrapper's child")
        .atMost(WAIT)
        .until(() -> sh.children().toList(), l -> !l.isEmpty());
  }

  /**
   * nanoTime of a successful PING, 0 if it failed (recording when it was tried in {@code down}).
   */
  private static long pingedAt(int port, AtomicLong down) {
    long t = System.nanoTime();
    if (pings(port)) {
      return System.nanoTime();
    }
    down.set(t);
    return 0;
  }

  /** nanoTime after a failed PING, 0 if it answered (recording when it was sent in {@code up}). */
  private static long failedAt(int port, AtomicLong up) {
    long t = System.nanoTime();
    if (pings(port)) {
      up.set(t);
      return 0;
    }
    return System.nanoTime();
  }

  /** Whether Redis answers PING (generous timeouts: only a Redis that is gone says no). */
  private static boolean pings(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      socket.setSoTimeout(1000);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      byte[] reply = new byte[7];
      new DataInputStream(socket.getInputStream()).readFully(reply);
      return new String(reply, StandardCharsets.US_ASCII).equals("+PONG\r\n");
    } catch (IOException e) {
      return false;
    }
  }

  /** The wall-clock time (epoch ms) of Redis's first stdout line containing {@code message}. */
  private static Optional<Long> redisLogMillis(AgentProcess agent, String message) {
    for (String line : agent.stdoutLines()) {
      Matcher m = REDIS_LOG.matcher(line);
      if (m.matches() && m.group(4).contains(message)) {
        return Optional.of(
            LocalDateTime.parse(m.group(3), REDIS_TIME)
                .atZone(ZoneId.systemDefault())
                .toInstant()
                .toEpochMilli());
      }
    }
    return Optional.empty();
  }

  private static long wallMillis(long nanos) {
    return ANCHOR_MILLIS + TimeUnit.NANOSECONDS.toMillis(nanos - ANCHOR_NANOS);
  }

  private static long millis(long fromNanos, long toNanos) {
    return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
  }
}
