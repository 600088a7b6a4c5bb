package com.proposalsapp.registrar.http;

import java.nio.charset.StandardCharsets;

/**
 * One answer of the HTTP server.
 *
 * @param code the status code
 * @param contentType the {@code Content-Type} header
 * @param body the body sent on GET (HEAD sends none)
 */
public record Response(int code, String contentType, byte[] body) {

  /** The content type of a JSON body. */
  public static final String JSON = "application/json";

  /** A JSON answer. */
  public static Response json(int code, String json) {
    return new Response(code, JSON, (json + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /** A plain-text answer. */
  public static Response text(int code, String text) {
    return new Response(
        code, "text/plain; charset=utf-8", (text + "\n").getBytes(StandardCharsets.UTF_8));
  }
}
