package com.proposalsapp.registrar.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Debian's {@code prometheus} server, scraping the given targets every 250 ms. */
public final class PrometheusServer extends ServerProcess {

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path config;

  private PrometheusServer(Path parentDir, String name) {
    super(parentDir, name);
    this.config = dir().resolve("prometheus.yml");
  }

  /** Starts Prometheus scraping {@code targets} ({@code host:port}, path {@code /metrics}). */
  public static PrometheusServer start(Path parentDir, String name, List<String> targets) {
    PrometheusServer server = new PrometheusServer(parentDir, name);
    StringBuilder yml = new StringBuilder();
    yml.append("global:\n  scrape_interval: 250ms\n  scrape_timeout: 200ms\n");
    yml.append("scrape_configs:\n  - job_name: registrar\n    static_configs:\n");
    yml.append("      - targets: [");
    yml.append(String.join(", ", targets.stream().map(t -> "'" + t + "'").toList()));
    yml.append("]\n");
    try {
      Files.writeString(server.config, yml.toString(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.start();
    return server;
  }

  @Override
  protected List<String> command() {
    return List.of(
        "prometheus",
        "--config.file=" + config,
        "--storage.tsdb.path=" + dir().resolve("data"),
        "--web.listen-address=" + address());
  }

  @Override
  protected boolean probe() throws Exception {
    return get("/-/ready").statusCode() == 200;
  }

  /** The {@code data} of {@code GET /api/v1/<path>}. */
  public JsonNode api(String pathAndQuery) {
    try {
      HttpResponse<String> r = get("/api/v1/" + pathAndQuery);
      JsonNode body = JSON.readTree(r.body());
      if (!"success".equals(body.path("status").asText())) {
        throw new AssertionError("Prometheus answered " + r.body());
      }
      return body.path("data");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The result vector of an instant query. */
  public JsonNode query(String promql) {
    return api("query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).path("result");
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return CLIENT.send(
        HttpRequest.newBuilder(URI.create("http://" + address() + path))
            .timeout(Duration.ofSeconds(2))
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
