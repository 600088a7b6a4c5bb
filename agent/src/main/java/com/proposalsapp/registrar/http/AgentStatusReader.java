package com.proposalsapp.registrar.http;

import com.proposalsapp.registrar.core.FenceStatus;
import com.proposalsapp.registrar.etcd.RecordJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Reads agents' {@code /status} over HTTP, at the {@code http} address their records publish: the
 * one place the write fence's state is told (the records carry topology only). Asks every agent at
 * once, each bounded by {@code timeout}.
 */
public final class AgentStatusReader {

  private final HttpClient client;
  private final Duration timeout;

  public AgentStatusReader(Duration timeout) {
    this.timeout = timeout;
    this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  /**
   * The fence of each agent at {@code addresses} ("host:port"), by address; empty for an agent that
   * did not answer with a {@code /status} holding one within the timeout.
   */
  public Map<String, Optional<FenceStatus>> fences(List<String> addresses) {
    Map<String, CompletableFuture<Optional<FenceStatus>>> asked = new LinkedHashMap<>();
    for (String a : addresses) {
      asked.computeIfAbsent(a, this::ask);
    }
    Map<String, Optional<FenceStatus>> fences = new LinkedHashMap<>();
    asked.forEach((a, f) -> fences.put(a, f.join()));
    return fences;
  }

  private CompletableFuture<Optional<FenceStatus>> ask(String address) {
    HttpRequest request;
    try {
      request =
          HttpRequest.newBuilder(URI.create("http://" + address + "/status"))
              .timeout(timeout)
              .GET()
              .build();
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(Optional.empty()); // not an address we can ask
    }
    return client
        .sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .thenApply(AgentStatusReader::fence)
        .exceptionally(e -> Optional.empty());
  }

  private static Optional<FenceStatus> fence(HttpResponse<String> response) {
    if (response.statusCode() != 200) {
      return Optional.empty();
    }
    try {
      return RecordJson.object(response.body()).get(StatusJson.FENCE) instanceof Map<?, ?> fence
          ? Optional.of(StatusJson.fence(fence))
          : Optional.empty();
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
