package com.proposalsapp.registrar.http;

import java.util.Map;

/** What answers one path; must not block on anything slower than memory. */
@FunctionalInterface
public interface Route {

  /** The answer to a GET or HEAD of this path with query parameters {@code query}. */
  Response answer(Map<String, String> query);
}
