package com.proposalsapp.registrar.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.proposalsapp.registrar.config.Credentials;
import com.proposalsapp.registrar.config.RedisAccess;
import com.proposalsapp.registrar.config.Secret;
import com.proposalsapp.registrar.config.TlsFiles;
import com.proposalsapp.registrar.core.Backoff;
import com.proposalsapp.registrar.core.HostPort;
import com.proposalsapp.registrar.core.Observation;
import com.proposalsapp.registrar.core.SentinelAnswer;
import com.proposalsapp.registrar.core.SentinelAnswer.Problem;
import com.proposalsapp.registrar.it.DocumentedAcl;
import com.proposalsapp.registrar.it.RedisServer;
import com.proposalsapp.registrar.it.RespSecurity;
import com.proposalsapp.registrar.it.Sandbox;
import com.proposalsapp.registrar.it.SandboxExtension;
import com.proposalsapp.registrar.it.SentinelServer;
import com.proposalsapp.registrar.it.ServerProcess;
import com.proposalsapp.registrar.it.TestTls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientType;
import redis.clients.jedis.params.ClientKillParams;

/**
 * The Redis adapters with passwords, ACL users and TLS, against real password-protected Redis and
 * Sentinels (issue 10): each test builds the {@link RedisAccess} the options would.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RedisAccessIT {

  private static final String ADMIN = "admin-pw-7f3a";
  private static final String AGENT = "registrar-pw-91c2";
  private static final Duration TIMEOUT = Duration.ofSeconds(1);

  @RegisterExtension
  static final SandboxExtension SANDBOX =
      SandboxExtension.of(Sandbox.Options.defaults().withSecurity(RespSecurity.password(ADMIN)))
          .healedBeforeEachTest();

  /** The documented users, (re)created on every server: a restarted server has lost them. */
  @BeforeEach
  void createTheDocumentedUsers() {
    for (RedisServer r : SANDBOX.get().redis()) {
      DocumentedAcl.apply(r, DocumentedAcl.REDIS, AGENT);
      DocumentedAcl.apply(r, DocumentedAcl.REDIS_FENCING, AGENT);
    }
    for (SentinelServer s : SANDBOX.get().sentinels()) {
      DocumentedAcl.apply(s, DocumentedAcl.SENTINEL, AGENT);
    }
  }

  @Test
  void theDocumentedAclIsEnoughToObserveDiscoverPingAndSubscribe() throws Exception {
    Sandbox sandbox = SANDBOX.get();
    RedisAccess agent = new RedisAccess(new Credentials("registrar", new Secret(AGENT)), null);
    RedisServer replica = replicaOf(sandbox);
    HostPort firstSentinel = address(sandbox.sentinels().get(0));
    KnownSentinels known = new KnownSentinels(List.of(firstSentinel));

    try (SentinelTopologySource source =
        source(address(replica), agent, known, agent, Sandbox.MASTER_NAME)) {
      Observation first = source.observe();
      assertThat(first.redisError()).isNull();
      assertThat(first.masterOffset()).as("INFO on the master, as the same user").isNotNull();
      assertThat(first.sentinels().misconfigured()).isEmpty();
      assertThat(known.all()).as("SENTINEL SENTINELS found the other two").hasSize(3);

      Observation second = source.observe();
      assertThat(second.sentinels().reachable()).isEqualTo(3);
      assertThat(second.sentinels().answers())
          .extracting(SentinelAnswer::runId)
          .as("SENTINEL MYID")
          .doesNotContainNull()
          .doesNotHaveDuplicates();
      assertThat(second.sentinels().confirmed().toString())
          .isEqualTo(sandbox.currentMasterAddress());
    }
    assertThat(RedisPing.answers(address(replica), agent, TIMEOUT)).isTrue();

    AtomicInteger events = new AtomicInteger();
    try (SentinelEvents subscriptions =
        new SentinelEvents(
            new KnownSentinels(addresses(sandbox.sentinels())),
            Sandbox.MASTER_NAME,
            new RedisClients(agent, TIMEOUT, RedisClients.EVENTS_CLIENT_NAME),
            new Backoff(Duration.ofMillis(100), Duration.ofMillis(500)))) {
      subscriptions.start(events::incrementAndGet);
      await("every Sentinel has the agent's subscription to all its channels")
          .atMost(Duration.ofSeconds(10))
          .until(() -> sandbox.sentinels().stream().allMatch(RedisAccessIT::subscribed));
      sandbox.failover();
      await("a failover event").atMost(Duration.ofSeconds(10)).until(() -> events.get() > 0);
    }
  }

  @Test
  void theDocumentedFencingAclPausesUnpausesAndDisconnects() throws Exception {
    Sandbox sandbox = SANDBOX.get();
    RedisAccess agent = new RedisAccess(new Credentials("registrar", new Secret(AGENT)), null);
    HostPort master = HostPort.parse(sandbox.currentMasterAddress());
    try (RedisWriteHold hold = new RedisWriteHold(master, clients(agent))) {
      hold.pause(Duration.ofSeconds(5));
      hold.unpause();
      assertThat(hold.disconnectClients()).isGreaterThanOrEqualTo(0);
    }
  }

  @Test
  void onePermissionLessIsToldAsNoPermissionNamingTheCommand() {
    Sandbox sandbox = SANDBOX.get();
    for (RespServerAndRule s :
        List.of(
            new RespServerAndRule(sandbox.redis().get(0), "-info"),
            new RespServerAndRule(sandbox.sentinels().get(0), "-sentinel|myid"))) {
      try (Jedis admin = s.server().jedis()) {
        admin.aclSetUser("registrar", s.rule());
      }
    }
    RedisAccess agent = new RedisAccess(new Credentials("registrar", new Secret(AGENT)), null);
    HostPort sentinel = address(sandbox.sentinels().get(0));
    try (SentinelTopologySource source =
        source(
            address(sandbox.redis().get(0)),
            agent,
            new KnownSentinels(List.of(sentinel)),
            agent,
            Sandbox.MASTER_NAME)) {
      Observation o = source.observe();

      assertThat(o.redisError()).contains("NOPERM").contains("info");
      SentinelAnswer a = o.sentinels().answers().get(0);
      assertThat(a.problem()).isEqualTo(Problem.NO_PERMISSION);
      assertThat(a.error()).contains(sentinel.toString()).contains("sentinel|myid");
    }
  }

  /** Issue 10 case 6, at the adapter: every wrong answer is told apart from an outage. */
  @Test
  void aWrongMasterNameAWrongPasswordNoPasswordAndADownSentinelAreToldApart() throws Exception {
    Sandbox sandbox = SANDBOX.get();
    HostPort sentinel = address(sandbox.sentinels().get(0));
    RedisAccess admin = new RedisAccess(new Credentials(null, new Secret(ADMIN)), null);

    assertThat(only(sentinel, admin, "wrongname").problem()).isEqualTo(Problem.UNKNOWN_MASTER);
    assertThat(only(sentinel, admin, "wrongname").error())
        .contains(sentinel.toString())
        .contains("'wrongname'");
    SentinelAnswer wrong =
        only(
            sentinel,
            new RedisAccess(new Credentials(null, new Secret("not-the-password")), null),
            Sandbox.MASTER_NAME);
    assertThat(wrong.problem()).isEqualTo(Problem.AUTH);
    assertThat(wrong.error()).contains("WRONGPASS").doesNotContain("not-the-password");
    SentinelAnswer none = only(sentinel, RedisAccess.NONE, Sandbox.MASTER_NAME);
    assertThat(none.problem()).isEqualTo(Problem.AUTH);
    assertThat(none.error()).contains("NOAUTH");
    HostPort down = new HostPort("127.0.0.1", freePort());
    assertThat(only(down, admin, Sandbox.MASTER_NAME).problem()).isEqualTo(Problem.UNREACHABLE);
  }

  @Test
  void aRotatedPasswordIsUsedFromTheNextConnectionOn(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    Sandbox sandbox = SANDBOX.get();
    RedisServer redis = sandbox.redis().get(0);
    Path file = dir.resolve("redis-password");
    Files.writeString(file, AGENT + "\n");
    Secret secret = Secret.fromFile(file);
    RedisConnection c =
        new RedisConnection(
            address(redis),
            "Redis",
            clients(new RedisAccess(new Credentials("registrar", secret), null)));
    try (c;
        Jedis admin = redis.jedis()) {
      String before = c.call(j -> j.info("replication"));
      assertThat(before).contains("role:");

      admin.aclSetUser("registrar", "resetpass", ">rotated-pw-55d1");
      Files.writeString(file, "rotated-pw-55d1\n");
      assertThat(secret.reload()).isTrue();
      admin.clientKill(ClientKillParams.clientKillParams().user("registrar"));

      String after = c.call(j -> j.info("replication"));
      assertThat(after).as("reconnected with the re-read password").contains("role:");
    }
  }

  /** Hostname verification on: a certificate for "localhost" is refused at 127.0.0.1. */
  @Test
  void tlsWithACaAClientCertificateAndTheHostNameChecked(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    TestTls tls = TestTls.create(dir.resolve("tls"), "DNS:localhost");
    TestTls stranger = TestTls.create(dir.resolve("stranger"), "DNS:localhost");
    try (RedisServer redis =
        RedisServer.start(
            dir, "redis-tls", "127.0.0.1", RespSecurity.NONE.withTls(tls, "yes"), "127.0.0.1", 0)) {
      HostPort byName = new HostPort("localhost", redis.port());
      HostPort byIp = new HostPort("127.0.0.1", redis.port());

      assertThat(info(byName, tls.files(true))).contains("role:master");

      assertThatThrownBy(() -> info(byIp, tls.files(true)))
          .as("the certificate names localhost, not 127.0.0.1")
          .hasMessageContaining("TLS handshake failed")
          .hasMessageContaining("No subject alternative names matching IP address 127.0.0.1");
      assertThatThrownBy(() -> info(byName, tls.files(false)))
          .as("tls-auth-clients yes without a client certificate")
          .isInstanceOf(RedisException.class);
      assertThatThrownBy(() -> info(byName, stranger.files(true)))
          .as("a CA that did not sign the server's certificate")
          .hasMessageContaining("TLS handshake failed")
          .hasMessageContaining("trust anchors");
      assertThatThrownBy(() -> info(byName, null))
          .as("plaintext to a TLS port")
          .isInstanceOf(RedisException.class);
      TlsFiles traditional = new TlsFiles(tls.ca(), tls.clientCert(), tls.traditionalClientKey());
      assertThatThrownBy(() -> info(byName, traditional))
          .hasMessageContaining("not PKCS#8")
          .hasMessageContaining("openssl pkcs8 -topk8");
    }
  }

  /** Three Redis and three Sentinels speaking TLS only, with passwords, over IPv4 and IPv6. */
  @Test
  void aTlsOnlySandboxIsObservedOverTls(@org.junit.jupiter.api.io.TempDir Path dir) {
    TestTls tls = TestTls.create(dir.resolve("tls"), "DNS:localhost", "IP:127.0.0.1", "IP:::1");
    RespSecurity security = RespSecurity.password(ADMIN).withTls(tls, "yes");
    try (Sandbox sandbox =
        Sandbox.start(
            "RedisAccessIT-tls",
            Sandbox.Options.defaults().withSecurity(security).withHost("::1"))) {
      RedisAccess agent =
          new RedisAccess(new Credentials(null, new Secret(ADMIN)), tls.files(true));
      RedisServer replica = replicaOf(sandbox);
      try (SentinelTopologySource source =
          source(
              address(replica),
              agent,
              new KnownSentinels(addresses(sandbox.sentinels())),
              agent,
              Sandbox.MASTER_NAME)) {
        Observation o = source.observe();

        assertThat(o.redisError()).isNull();
        assertThat(o.redis().master()).isFalse();
        assertThat(o.masterOffset()).isNotNull();
        assertThat(o.sentinels().misconfigured()).isEmpty();
        assertThat(o.sentinels().reachable()).isEqualTo(3);
        assertThat(o.sentinels().confirmed().toString()).isEqualTo(sandbox.currentMasterAddress());
        assertThat(o.sentinels().confirmed().host()).isEqualTo("::1");
      }
    }
  }

  // --- helpers -------------------------------------------------------------------------------

  private record RespServerAndRule(com.proposalsapp.registrar.it.RespServer server, String rule) {}

  private static String info(HostPort address, TlsFiles tls) throws RedisException {
    try (RedisConnection c =
        new RedisConnection(address, "Redis", clients(new RedisAccess(Credentials.NONE, tls)))) {
      return c.call(j -> j.info("replication"));
    }
  }

  private static SentinelAnswer only(HostPort sentinel, RedisAccess access, String masterName) {
    try (SentinelTopologySource source =
        source(
            address(SANDBOX.get().redis().get(0)),
            new RedisAccess(new Credentials(null, new Secret(ADMIN)), null),
            new KnownSentinels(List.of(sentinel)),
            access,
            masterName)) {
      return source.observe().sentinels().answers().get(0);
    }
  }

  private static SentinelTopologySource source(
      HostPort redis,
      RedisAccess redisAccess,
      KnownSentinels sentinels,
      RedisAccess sentinelAccess,
      String masterName) {
    return new SentinelTopologySource(
        redis,
        clients(redisAccess),
        sentinels,
        clients(sentinelAccess),
        masterName,
        0,
        new DnsEndpoints(),
        Clock.systemUTC());
  }

  private static RedisClients clients(RedisAccess access) {
    return new RedisClients(access, TIMEOUT, RedisClients.CLIENT_NAME);
  }

  private static RedisServer replicaOf(Sandbox sandbox) {
    String master = sandbox.currentMasterAddress();
    return sandbox.redis().stream()
        .filter(r -> !sandbox.redisAt(master).equals(r))
        .findFirst()
        .orElseThrow();
  }

  private static HostPort address(ServerProcess server) {
    return HostPort.parse(server.address());
  }

  private static List<HostPort> addresses(List<? extends ServerProcess> servers) {
    return servers.stream().map(RedisAccessIT::address).toList();
  }

  private static int freePort() throws java.io.IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static boolean subscribed(SentinelServer sentinel) {
    try (Jedis admin = sentinel.jedis()) {
      return admin
          .clientList(ClientType.PUBSUB)
          .lines()
          .anyMatch(
              l ->
                  l.contains("name=" + RedisClients.EVENTS_CLIENT_NAME + " ")
                      && l.contains(" psub=" + SentinelEvents.CHANNELS.length + " "));
    }
  }
}
