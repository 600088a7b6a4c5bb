package com.proposalsapp.registrar.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.proposalsapp.registrar.core.BindAddress;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The HTTP server on a real socket: clients that stall cannot make the checks time out. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HttpEndpointIT {

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  @Test
  void clientsThatSendHalfARequestDoNotBlockTheChecks() throws Exception {
    try (HttpEndpoint http =
        HttpEndpoint.start(
            "test",
            BindAddress.parse("127.0.0.1:0"),
            Map.of("/liveness", q -> Response.text(200, "alive")))) {
      String base = "http://" + http.address();
      List<Socket> stalled = new ArrayList<>();
      try {
        // More stalled clients than the server has threads, each holding a half-sent request.
        for (int i = 0; i < HttpEndpoint.THREADS + 2; i++) {
          Socket s = new Socket("127.0.0.1", http.address().port());
          OutputStream out = s.getOutputStream();
          out.write("GET /liveness HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
          out.flush();
          stalled.add(s);
        }

        // Within the bound on a request, plus the server's timer, a check is answered again.
        long t0 = System.nanoTime();
        HttpResponse<String> answer = get(base + "/liveness", Duration.ofSeconds(5));
        long ms = (System.nanoTime() - t0) / 1_000_000;

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(ms).isLessThan(HttpEndpoint.MAX_REQUEST_SECONDS * 1000L + 1500);
        System.out.printf(
            "HttpEndpointIT: a check answered %d ms after %d stalled clients connected%n",
            ms, stalled.size());
      } finally {
        for (Socket s : stalled) {
          s.close();
        }
      }
    }
  }

  @Test
  void withFewerStalledClientsThanThreadsChecksAreAnsweredAtOnce() throws Exception {
    try (HttpEndpoint http =
            HttpEndpoint.start(
                "test",
                BindAddress.parse("127.0.0.1:0"),
                Map.of("/liveness", q -> Response.text(200, "alive")));
        Socket stalled = new Socket("127.0.0.1", http.address().port())) {
      stalled.getOutputStream().write("GET /liv".getBytes(StandardCharsets.US_ASCII));
      stalled.getOutputStream().flush();

      HttpResponse<String> answer =
          get("http://" + http.address() + "/liveness", Duration.ofMillis(500));

      assertThat(answer.statusCode()).isEqualTo(200);
      assertThat(answer.body()).isEqualTo("alive\n");
    }
  }

  private static HttpResponse<String> get(String url, Duration timeout)
      throws IOException, InterruptedException {
    return CLIENT.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
