package com.proposalsapp.registrar.config;

import static com.proposalsapp.registrar.config.Options.ANNOUNCE;
import static com.proposalsapp.registrar.config.Options.DC;
import static com.proposalsapp.registrar.config.Options.DOWN_AFTER;
import static com.proposalsapp.registrar.config.Options.ETCD;
import static com.proposalsapp.registrar.config.Options.FENCE;
import static com.proposalsapp.registrar.config.Options.FENCE_TIMEOUT;
import static com.proposalsapp.registrar.config.Options.ID;
import static com.proposalsapp.registrar.config.Options.LEASE_TTL;
import static com.proposalsapp.registrar.config.Options.MASTER_NAME;
import static com.proposalsapp.registrar.config.Options.POLL_INTERVAL;
import static com.proposalsapp.registrar.config.Options.PREFIX;
import static com.proposalsapp.registrar.config.Options.REDIS;
import static com.proposalsapp.registrar.config.Options.REDIS_PASSWORD_FILE;
import static com.proposalsapp.registrar.config.Options.REQUIRE_SENTINEL_MAJORITY;
import static com.proposalsapp.registrar.config.Options.RESYNC_INTERVAL;
import static com.proposalsapp.registrar.config.Options.SENTINELS;
import static com.proposalsapp.registrar.config.Options.SENTINEL_PASSWORD_FILE;
import static com.proposalsapp.registrar.config.Options.SENTINEL_QUORUM;
import static com.proposalsapp.registrar.config.Options.SHUTDOWN_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.proposalsapp.registrar.core.BindAddress;
import com.proposalsapp.registrar.core.HostPort;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class SettingsTest {

  @TempDir Path dir;

  /** Where a value is given. */
  enum From {
    FLAG,
    ENV
  }

  // --- every bad value: one line naming the option and the value

  static Stream<Arguments> badValues() {
    Map<Opt<?>, List<String>> bad = new LinkedHashMap<>();
    List<String> durations = List.of("5x", "-1s", "1.5s", "", "0s");
    bad.put(LEASE_TTL, List.of("5x", "-1s", "1.5s", "", "1s", "1500ms", "0s"));
    bad.put(POLL_INTERVAL, durations);
    bad.put(RESYNC_INTERVAL, durations);
    bad.put(DOWN_AFTER, durations);
    bad.put(SHUTDOWN_TIMEOUT, durations);
    bad.put(
        REDIS,
        List.of("127.0.0.1:0", "127.0.0.1:70000", "127.0.0.1", "127.0.0.1:port", "redis 0:6379"));
    bad.put(ANNOUNCE, List.of("10.0.1.5:0", "10.0.1.5:70000", ":6379"));
    bad.put(
        SENTINELS,
        List.of(
            "127.0.0.1:0",
            "127.0.0.1:26379,127.0.0.1:70000",
            "127.0.0.1:26379,127.0.0.1:26379",
            "127.0.0.1:26379,",
            ""));
    bad.put(ID, List.of("dc1/../x", "/..", "..", ".", "my id", "a/b", ""));
    bad.put(
        PREFIX,
        List.of(
            "/service/../redis",
            "/service/redis/..",
            "/service/red is",
            "service/redis",
            "/service/redis/",
            "/",
            "/service//redis",
            ""));
    bad.put(DC, List.of("dc 1", "../dc1", "dc/1", ""));
    bad.put(MASTER_NAME, List.of("my master", "a/b", ".."));
    bad.put(
        ETCD,
        List.of(
            "ftp://127.0.0.1:2379",
            "http://127.0.0.1:0",
            "http://127.0.0.1:70000",
            "http://127.0.0.1:2379,http:// bad:1"));
    bad.put(SENTINEL_QUORUM, List.of("0", "2", "two"));
    bad.put(REQUIRE_SENTINEL_MAJORITY, List.of("maybe", ""));
    // HTTP and logging (issue 8)
    bad.put(Options.HTTP, List.of("8008", "127.0.0.1:70000", "127.0.0.1:-1", ":8008", "on", ""));
    bad.put(Options.LOG_FORMAT, List.of("xml", "logfmt", ""));
    bad.put(Options.LOG_LEVEL, List.of("LOUD", "verbose", "5", ""));
    return bad.entrySet().stream()
        .flatMap(e -> e.getValue().stream().map(v -> Map.entry(e.getKey(), v)))
        .flatMap(
            e ->
                Stream.of(From.values())
                    // an empty environment variable counts as unset
                    .filter(from -> from == From.FLAG || !e.getValue().isEmpty())
                    .map(from -> arguments(e.getKey(), e.getValue(), from)));
  }

  @ParameterizedTest(name = "{0} ''{1}'' from {2}")
  @MethodSource("badValues")
  void aBadValueIsOneLineNamingTheOptionAndTheValue(Opt<?> option, String value, From from) {
    Map<Opt<?>, String> flags = withDcUnless(option);
    Map<String, String> env = new HashMap<>();
    String name;
    if (from == From.FLAG) {
      flags.put(option, value);
      name = option.flag();
    } else {
      name = option.env().get(0);
      env.put(name, value);
    }

    assertOneLineError(() -> Settings.resolve(flags, env::get, true), name, "'" + value + "'");
  }

  static Stream<Arguments> fallbackVariables() {
    return Stream.of(
        arguments(ETCD, "ETCDCTL_ENDPOINTS", "ftp://127.0.0.1:2379"),
        arguments(DC, "NOMAD_DC", "dc 1"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("fallbackVariables")
  void aBadValueFromAFallbackVariableNamesThatVariable(
      Opt<?> option, String variable, String value) {
    Map<String, String> env = Map.of(variable, value);

    assertOneLineError(
        () -> Settings.resolve(withDcUnless(option), env::get, true), variable, "'" + value + "'");
  }

  @Test
  void aMissingDcIsOneLineNamingTheFlag() {
    assertOneLineError(() -> resolve(Map.of(), Map.of()), "--dc");
  }

  @Test
  void aValueWithALineBreakStillGivesOneLine() {
    assertOneLineError(() -> resolve(Map.of(DC, "dc1", ID, "dc1\nx"), Map.of()), "--id");
    assertOneLineError(
        () -> resolve(Map.of(DC, "dc1"), Map.of("REGISTRAR_PREFIX", "/a\r\nb")),
        "REGISTRAR_PREFIX");
  }

  // --- where values come from

  @Test
  void defaults() throws ConfigException {
    HostPort local = HostPort.parse("127.0.0.1:6379");

    assertThat(resolve(Map.of(DC, "dc1"), Map.of()))
        .isEqualTo(
            new Settings(
                new EtcdSettings(
                    EtcdAccess.plain(List.of(URI.create("http://127.0.0.1:2379"))),
                    "/service/redis"),
                "proposalsapp-redis",
                "dc1",
                "dc1-127.0.0.1-6379",
                new RedisSettings(local, local, RedisAccess.NONE),
                new SentinelSettings(
                    List.of(HostPort.parse("127.0.0.1:26379")), 0, true, true, RedisAccess.NONE),
                new Timing(
                    Duration.ofSeconds(30),
                    Duration.ofSeconds(30),
                    Duration.ofSeconds(1),
                    Duration.ofSeconds(3),
                    Duration.ofSeconds(2)),
                new ExecSettings(Duration.ZERO, Duration.ofSeconds(10)),
                new FenceSettings(false, Duration.ofSeconds(5)),
                new BindAddress("0.0.0.0", 8008),
                new LogSettings(LogSettings.Format.TEXT, "INFO"),
                List.of()));
  }

  static Stream<Arguments> flagAndEnvironment() {
    return Stream.of(
        row(ETCD, "http://10.0.0.1:2379", "http://10.0.0.2:2379", s -> s.etcd().access().list()),
        row(PREFIX, "/a/b", "/c/d", s -> s.etcd().prefix()),
        row(MASTER_NAME, "group-1", "group-2", Settings::masterName),
        row(REDIS, "10.0.0.1:6379", "10.0.0.2:6379", s -> s.redis().address().toString()),
        row(ANNOUNCE, "10.0.1.1:6379", "10.0.1.2:6379", s -> s.redis().announce().toString()),
        row(SENTINELS, "10.0.0.1:26379", "10.0.0.2:26379,10.0.0.3:26379", SettingsTest::sentinels),
        row(DC, "dc2", "dc3", Settings::dc),
        row(ID, "redis-a", "redis-b", Settings::id),
        row(LEASE_TTL, "10s", "1m", s -> Durations.format(s.timing().leaseTtl())),
        row(RESYNC_INTERVAL, "1m", "2m", s -> Durations.format(s.timing().resyncInterval())),
        row(POLL_INTERVAL, "500ms", "2s", s -> Durations.format(s.timing().pollInterval())),
        row(DOWN_AFTER, "5s", "10s", s -> Durations.format(s.timing().downAfter())),
        row(SHUTDOWN_TIMEOUT, "1s", "800ms", s -> Durations.format(s.timing().shutdownTimeout())),
        row(
            REQUIRE_SENTINEL_MAJORITY,
            "false",
            "true",
            s -> String.valueOf(s.sentinel().requireMajority())),
        // HTTP and logging (issue 8)
        row(Options.HTTP, "127.0.0.1:0", "10.0.1.5:9008", s -> s.http().toString()),
        row(Options.LOG_FORMAT, "json", "text", s -> s.log().format().name().toLowerCase()),
        row(Options.LOG_LEVEL, "DEBUG", "WARN", s -> s.log().level()),
        row(FENCE, "true", "false", s -> Boolean.toString(s.fence().enabled())),
        row(FENCE_TIMEOUT, "2s", "3s", s -> Durations.format(s.fence().timeout())));
  }

  @Test
  void httpOffTurnsTheServerOffAndLevelsAndFormatsIgnoreCase() throws ConfigException {
    Map<Opt<?>, String> flags = withDcUnless(Options.HTTP);
    flags.put(Options.HTTP, "off");
    flags.put(Options.LOG_LEVEL, "debug");
    flags.put(Options.LOG_FORMAT, "JSON");

    Settings s = resolve(flags, Map.of());

    assertThat(s.http()).isNull();
    assertThat(s.log().level()).isEqualTo("DEBUG");
    assertThat(s.log().format()).isEqualTo(LogSettings.Format.JSON);
  }

  @ParameterizedTest(name = "{0} -> {3}")
  @MethodSource("flagAndEnvironment")
  void theFlagWinsOverTheEnvironment(
      Opt<?> option, String flag, String env, Function<Settings, String> view)
      throws ConfigException {
    Map<Opt<?>, String> flags = withDcUnless(option);
    flags.put(option, flag);

    assertThat(view.apply(resolve(flags, Map.of(option.env().get(0), env)))).isEqualTo(flag);
  }

  @ParameterizedTest(name = "{0} -> {3}")
  @MethodSource("flagAndEnvironment")
  void theEnvironmentIsReadWhenTheFlagIsAbsent(
      Opt<?> option, String flag, String env, Function<Settings, String> view)
      throws ConfigException {
    assertThat(view.apply(resolve(withDcUnless(option), Map.of(option.env().get(0), env))))
        .isEqualTo(env);
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "REGISTRAR_ETCD|http://u:pw9secret@h:2379|http://u:****@h:2379",
        "ETCDCTL_ENDPOINTS|http://h:1,https://u:pw9secret@h:2379|https://u:****@h:2379",
        "ETCDCTL_USER|bad user:pw9secret|bad user:****",
      })
  void aRefusedValueNeverShowsItsPassword(String variable, String value, String shown) {
    assertThatThrownBy(() -> resolve(Map.of(DC, "dc1"), Map.of(variable, value)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(shown)
        .hasMessageNotContaining("pw9secret");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fallbacks")
  void theFirstNonEmptyVariableWins(Map<String, String> env, String etcd) throws ConfigException {
    assertThat(resolve(Map.of(DC, "dc1"), env).etcd().access().list()).isEqualTo(etcd);
  }

  static Stream<Arguments> fallbacks() {
    return Stream.of(
        arguments(
            Map.of(
                "REGISTRAR_ETCD",
                "http://10.0.0.1:2379",
                "ETCDCTL_ENDPOINTS",
                "http://10.0.0.2:2379"),
            "http://10.0.0.1:2379"),
        arguments(Map.of("ETCDCTL_ENDPOINTS", "http://10.0.0.2:2379"), "http://10.0.0.2:2379"),
        arguments(
            Map.of("REGISTRAR_ETCD", "", "ETCDCTL_ENDPOINTS", "http://10.0.0.2:2379"),
            "http://10.0.0.2:2379"),
        arguments(
            Map.of("ETCDCTL_ENDPOINTS", "http://10.0.0.1:2379, 10.0.0.2:2379"),
            "http://10.0.0.1:2379,http://10.0.0.2:2379"));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("dcSources")
  void theDcComesFromRegistrarDcThenNomadDc(Map<String, String> env, String dc)
      throws ConfigException {
    assertThat(resolve(Map.of(), env).dc()).isEqualTo(dc);
  }

  static Stream<Arguments> dcSources() {
    return Stream.of(
        arguments(Map.of("REGISTRAR_DC", "dc1", "NOMAD_DC", "dc2"), "dc1"),
        arguments(Map.of("NOMAD_DC", "dc2"), "dc2"),
        arguments(Map.of("REGISTRAR_DC", "", "NOMAD_DC", "dc2"), "dc2"));
  }

  @Test
  void commandsThatNeedNoDcGetNoDefaultId() throws ConfigException {
    Settings s = Settings.resolve(Map.of(), name -> null, false);

    assertThat(s.dc()).isNull();
    assertThat(s.id()).isNull();
    assertThat(Settings.resolve(Map.of(ID, "redis-a"), name -> null, false).id())
        .isEqualTo("redis-a");
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource({
    "dc1, '', dc1-127.0.0.1-6379",
    "dc1, 10.0.1.5:6379, dc1-10.0.1.5-6379",
    "dc1, [fd00::5]:6379, dc1-fd00--5-6379",
    "dc-east_1, redis-0.dc1.consul:6380, dc-east_1-redis-0.dc1.consul-6380",
  })
  void theDefaultIdIsDcAnnounceHostAndPortMadeSafe(String dc, String announce, String id)
      throws ConfigException {
    Map<Opt<?>, String> flags = new HashMap<>(Map.of(DC, dc));
    if (!announce.isEmpty()) {
      flags.put(ANNOUNCE, announce);
    }

    Settings s = resolve(flags, Map.of());

    assertThat(s.id()).isEqualTo(id);
    assertThat(Settings.resolve(Map.of(ID, s.id()), name -> null, false).id())
        .as("a valid --id")
        .isEqualTo(id);
  }

  @Test
  void anExplicitIdWinsOverTheDefault() throws ConfigException {
    assertThat(resolve(Map.of(DC, "dc1", ID, "cache-7"), Map.of()).id()).isEqualTo("cache-7");
  }

  @Test
  void announceDefaultsToTheRedisAddress() throws ConfigException {
    Settings s = resolve(Map.of(DC, "dc1", REDIS, "10.0.0.9:6380"), Map.of());

    assertThat(s.redis().announce()).isEqualTo(HostPort.parse("10.0.0.9:6380"));
  }

  @ParameterizedTest(name = "{0} is {1} s")
  @CsvSource({"2s, 2", "2000ms, 2", "30s, 30", "1m, 60"})
  void leaseTtlIsWholeSecondsFromTwo(String value, long seconds) throws ConfigException {
    assertThat(resolve(Map.of(DC, "dc1", LEASE_TTL, value), Map.of()).timing().leaseTtl())
        .isEqualTo(Duration.ofSeconds(seconds));
  }

  @ParameterizedTest(name = "{0} Sentinels, quorum ''{1}'' -> {2}")
  @CsvSource({"3, '', 0", "4, '', 0", "5, '', 0", "3, 1, 1", "3, 3, 3"})
  void theQuorumDefaultsToAMajorityOfTheKnownSentinels(int sentinels, String quorum, int expected)
      throws ConfigException {
    Map<Opt<?>, String> flags = new HashMap<>(Map.of(DC, "dc1"));
    flags.put(
        SENTINELS,
        Stream.iterate(26379, p -> p + 1)
            .limit(sentinels)
            .map(p -> "127.0.0.1:" + p)
            .collect(Collectors.joining(",")));
    if (!quorum.isEmpty()) {
      flags.put(SENTINEL_QUORUM, quorum);
    }

    assertThat(resolve(flags, Map.of()).sentinel().quorum()).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "true, true",
    "YES, true",
    "1, true",
    "on, true",
    "false, false",
    "no, false",
    "0, false",
    "Off, false"
  })
  void requireSentinelMajorityReadsBooleans(String value, boolean expected) throws ConfigException {
    assertThat(
            resolve(Map.of(DC, "dc1", REQUIRE_SENTINEL_MAJORITY, value), Map.of())
                .sentinel()
                .requireMajority())
        .isEqualTo(expected);
  }

  // --- passwords

  @ParameterizedTest(name = "{0}")
  @MethodSource("passwordFiles")
  void aPasswordFileIsRead(Opt<?> option) throws Exception {
    Path file = Files.writeString(dir.resolve("password"), "hunter2\n");

    Settings s = resolve(Map.of(DC, "dc1", option, file.toString()), Map.of());

    assertThat(passwordOf(s, option).value()).isEqualTo("hunter2");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("passwordFiles")
  void aMissingPasswordFileIsOneLineNamingTheFlagAndTheFile(Opt<?> option) {
    String file = dir.resolve("no-such-file").toString();

    assertOneLineError(
        () -> resolve(Map.of(DC, "dc1", option, file), Map.of()),
        option.flag(),
        file,
        "no such file");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("passwordFiles")
  void anUnusablePasswordFileNeverShowsItsContent(Opt<?> option) throws IOException {
    Path file = Files.writeString(dir.resolve("password"), "\nhunter2\n");

    assertThatThrownBy(() -> resolve(Map.of(DC, "dc1", option, file.toString()), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(option.flag())
        .hasMessageContaining(file.toString())
        .hasMessageNotContaining("hunter2");
  }

  static Stream<Arguments> redisPasswords() {
    return Stream.of(
        arguments(Map.of("REGISTRAR_REDIS_PASSWORD", "first", "REDISCLI_AUTH", "second"), "first"),
        arguments(Map.of("REDISCLI_AUTH", "second"), "second"),
        arguments(Map.of("REGISTRAR_REDIS_PASSWORD", "", "REDISCLI_AUTH", "second"), "second"),
        arguments(Map.of(), null));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("redisPasswords")
  void theRedisPasswordComesFromRegistrarRedisPasswordThenRedisCliAuth(
      Map<String, String> env, String password) throws ConfigException {
    Settings s = resolve(Map.of(DC, "dc1"), env);

    assertThat(s.redis().access().credentials().passwordValue()).isEqualTo(password);
    assertThat(s.sentinel().access().credentials().password())
        .as("REDISCLI_AUTH is Redis's, not the Sentinels'")
        .isNull();
  }

  @Test
  void theSentinelPasswordComesFromItsOwnVariable() throws ConfigException {
    Settings s = resolve(Map.of(DC, "dc1"), Map.of("REGISTRAR_SENTINEL_PASSWORD", "watch"));

    assertThat(s.sentinel().access().credentials().password().value()).isEqualTo("watch");
    assertThat(s.redis().access().credentials().password()).isNull();
  }

  @Test
  void aPasswordFileWinsOverTheEnvironment() throws Exception {
    Path file = Files.writeString(dir.resolve("password"), "from-file");

    Settings s =
        resolve(
            Map.of(
                DC,
                "dc1",
                REDIS_PASSWORD_FILE,
                file.toString(),
                SENTINEL_PASSWORD_FILE,
                file.toString()),
            Map.of(
                "REGISTRAR_REDIS_PASSWORD", "from-env", "REGISTRAR_SENTINEL_PASSWORD", "from-env"));

    assertThat(s.redis().access().credentials().password().value()).isEqualTo("from-file");
    assertThat(s.sentinel().access().credentials().password().value()).isEqualTo("from-file");
  }

  @Test
  void settingsNeverPrintPasswords() throws ConfigException {
    Settings s =
        resolve(
            Map.of(DC, "dc1"),
            Map.of(
                "REDISCLI_AUTH", "redis-secret", "REGISTRAR_SENTINEL_PASSWORD", "sentinel-secret"));

    assertThat(s.toString()).doesNotContain("redis-secret").doesNotContain("sentinel-secret");
  }

  // --- helpers

  static Stream<Opt<?>> passwordFiles() {
    return Stream.of(REDIS_PASSWORD_FILE, SENTINEL_PASSWORD_FILE);
  }

  private static Settings resolve(Map<Opt<?>, String> flags, Map<String, String> env)
      throws ConfigException {
    return Settings.resolve(flags, env::get, true);
  }

  /** Flags with a valid --dc, except when the option under test is the dc itself. */
  private static Map<Opt<?>, String> withDcUnless(Opt<?> option) {
    Map<Opt<?>, String> flags = new HashMap<>();
    if (option != DC) {
      flags.put(DC, "dc1");
    }
    return flags;
  }

  private static void assertOneLineError(ThrowingCallable call, String... mentions) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            ConfigException.class,
            e -> assertThat(e.getMessage()).doesNotContain("\n", "\r").contains(mentions));
  }

  private static Arguments row(
      Opt<?> option, String flag, String env, Function<Settings, String> view) {
    return arguments(option, flag, env, named(option.flag(), view));
  }

  private static String sentinels(Settings s) {
    return s.sentinel().addresses().stream()
        .map(HostPort::toString)
        .collect(Collectors.joining(","));
  }

  private static Secret passwordOf(Settings s, Opt<?> option) {
    return option == REDIS_PASSWORD_FILE
        ? s.redis().access().credentials().password()
        : s.sentinel().access().credentials().password();
  }
}
