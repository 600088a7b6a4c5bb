package com.proposalsapp.registrar.it;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HTTP server of an agent (its checks) or a router under test: where it listens, and one GET of
 * a path.
 */
final class AgentHttp {

  private static final Pattern LISTENING =
      Pattern.compile("HTTP (?:checks|router) listening on http:\\\\?/\\\\?/([0-9.]+:\\d+)");
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** One answer: status code, body, and how long it took. */
  record Answer(int code, String body, Duration took) {
    JsonNode json() {
      return Records.parse(body);
    }
  }

  private AgentHttp() {}

  /** The {@code host:port} the agent logged for its HTTP checks, waiting for the line. */
  static String address(AgentProcess agent) {
    return await("HTTP address of agent " + agent.pid())
        .atMost(Duration.ofSeconds(30))
        .until(() -> find(agent), Optional::isPresent)
        .orElseThrow();
  }

  private static Optional<String> find(AgentProcess agent) {
    for (String line : agent.stderrLines()) {
      Matcher m = LISTENING.matcher(line);
      if (m.find()) {
        return Optional.of(m.group(1));
      }
    }
    return Optional.empty();
  }

  /** GETs {@code pathAndQuery} from the agent at {@code address}, bounded by {@code timeout}. */
  static Answer get(String address, String pathAndQuery, Duration timeout) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://" + address + pathAndQuery))
            .timeout(timeout)
            .GET()
            .build();
    long t0 = System.nanoTime();
    try {
      HttpResponse<String> r = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), r.body(), Duration.ofNanos(System.nanoTime() - t0));
    } catch (IOException e) {
      throw new IllegalStateException("GET http://" + address + pathAndQuery + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** {@link #get} with a two-second bound. */
  static Answer get(String address, String pathAndQuery) {
    return get(address, pathAndQuery, Duration.ofSeconds(2));
  }
}
