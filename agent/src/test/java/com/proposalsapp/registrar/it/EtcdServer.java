package com.proposalsapp.registrar.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A single-member etcd 3.4, observed independently through the real {@code etcdctl}. */
public final class EtcdServer extends ServerProcess {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private static final Duration ETCDCTL_TIMEOUT = Duration.ofSeconds(30);

  private final int peerPort = Ports.free();

  private EtcdServer(Path parentDir, String name) {
    super(parentDir, name);
  }

  /** Starts etcd with its data in {@code parentDir/name/data} and waits until it is healthy. */
  public static EtcdServer start(Path parentDir, String name) {
    EtcdServer server = new EtcdServer(parentDir, name);
    server.start();
    return server;
  }

  @Override
  protected List<String> command() {
    String peerUrl = "http://" + HOST + ":" + peerPort;
    return List.of(
        "etcd",
        "--name=" + name(),
        "--data-dir=" + dir().resolve("data"),
        "--listen-client-urls=" + endpoint(),
        "--advertise-client-urls=" + endpoint(),
        "--listen-peer-urls=" + peerUrl,
        "--initial-advertise-peer-urls=" + peerUrl,
        "--initial-cluster=" + name() + "=" + peerUrl,
        "--logger=zap",
        "--log-outputs=stderr");
  }

  /** {@code GET /health} answers {@code "health":"true"} once the member has a leader. */
  @Override
  protected boolean probe() throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(endpoint() + "/health"))
            .timeout(Duration.ofSeconds(1))
            .build();
    HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    return response.statusCode() == 200 && response.body().contains("\"health\":\"true\"");
  }

  public String endpoint() {
    return "http://" + address();
  }

  /**
   * Runs {@code etcdctl --endpoints=<this> args...} and returns stdout; fails with stderr on a
   * non-zero exit.
   */
  public String etcdctl(String... args) {
    List<String> command = new ArrayList<>(List.of("etcdctl", "--endpoints=" + endpoint()));
    command.addAll(List.of(args));
    AgentProcess.Result result = Exec.run(ETCDCTL_TIMEOUT, Map.of("ETCDCTL_API", "3"), command);
    if (result.exitCode() != 0) {
      throw new IllegalStateException(
          String.join(" ", command) + " exited " + result.exitCode() + ": " + result.stderr());
    }
    return result.stdout();
  }

  /** Every key under {@code prefix} with its value, in key order. */
  public Map<String, String> getPrefix(String prefix) {
    Map<String, String> entries = new LinkedHashMap<>();
    for (JsonNode kv : kvs("get", "--prefix", "-w", "json", "--", prefix)) {
      entries.put(decode(kv.get("key")), decode(kv.get("value")));
    }
    return entries;
  }

  public Optional<String> get(String key) {
    return firstKv(key).map(kv -> decode(kv.get("value")));
  }

  /** The id of the lease attached to {@code key}; 0 if the key has none or does not exist. */
  public long leaseOf(String key) {
    return firstKv(key).map(kv -> kv.path("lease").asLong(0)).orElse(0L);
  }

  /** The revision of the last change to {@code key}; 0 if it does not exist. */
  public long modRevisionOf(String key) {
    return firstKv(key).map(kv -> kv.path("mod_revision").asLong(0)).orElse(0L);
  }

  /** The store's current revision. */
  public long revision() {
    return json("get", "-w", "json", "--", "/").path("header").path("revision").asLong();
  }

  public void put(String key, String value) {
    etcdctl("put", "--", key, value);
  }

  public void put(String key, String value, long leaseId) {
    etcdctl("put", "--lease=" + Long.toHexString(leaseId), "--", key, value);
  }

  public void delete(String key) {
    etcdctl("del", "--", key);
  }

  /** Grants a lease and returns its id. */
  public long leaseGrant(long ttlSeconds) {
    return json("lease", "grant", Long.toString(ttlSeconds), "-w", "json").get("ID").asLong();
  }

  public void leaseRevoke(long leaseId) {
    etcdctl("lease", "revoke", Long.toHexString(leaseId));
  }

  /**
   * Revokes the lease unless it is gone already (expired, or revoked by someone else, since it was
   * listed); false if it was. Any other failure is thrown.
   */
  public boolean leaseRevokeIfPresent(long leaseId) {
    try {
      leaseRevoke(leaseId);
      return true;
    } catch (IllegalStateException e) {
      if (String.valueOf(e.getMessage()).contains("requested lease not found")) {
        return false;
      }
      throw e;
    }
  }

  /** The lease's remaining TTL in seconds, -1 if there is no such lease. */
  public long leaseTtl(long leaseId) {
    return json("lease", "timetolive", Long.toHexString(leaseId), "-w", "json").get("ttl").asLong();
  }

  private Optional<JsonNode> firstKv(String key) {
    List<JsonNode> kvs = kvs("get", "-w", "json", "--", key);
    return kvs.isEmpty() ? Optional.empty() : Optional.of(kvs.get(0));
  }

  private List<JsonNode> kvs(String... args) {
    List<JsonNode> kvs = new ArrayList<>();
    json(args).path("kvs").forEach(kvs::add);
    return kvs;
  }

  private JsonNode json(String... args) {
    try {
      return JSON.readTree(etcdctl(args));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Decodes one of etcdctl's base64 byte fields ({@code -w json}); absent means empty. */
  static String decode(JsonNode base64) {
    return base64 == null
        ? ""
        : new String(Base64.getDecoder().decode(base64.asText()), StandardCharsets.UTF_8);
  }
}
