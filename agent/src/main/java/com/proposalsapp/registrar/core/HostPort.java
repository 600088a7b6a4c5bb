package com.proposalsapp.registrar.core;

import java.util.function.BiFunction;

/** A network address as {@code host:port}, with a port in 1..65535. */
public record HostPort(String host, int port) {

  public HostPort {
    if (host == null || host.isBlank() || host.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException("host must be non-empty and contain no spaces");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be in 1..65535, not " + port);
    }
  }

  /** Parses {@code host:port} or {@code [ipv6]:port}. */
  public static HostPort parse(String text) {
    return split(text, "expected host:port", HostPort::new);
  }

  /**
   * Splits {@code host:port} or {@code [ipv6]:port} and makes a {@code T} of its parts; {@code
   * expected} is the message when the text has no such shape.
   */
  static <T> T split(String text, String expected, BiFunction<String, Integer, T> make) {
    String s = text == null ? "" : text.trim();
    int colon = s.lastIndexOf(':');
    if (colon <= 0 || colon == s.length() - 1) {
      throw new IllegalArgumentException(expected);
    }
    String host = s.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(s.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("port is not a number");
    }
    return make.apply(host, port);
  }

  /** {@code host:port}, with an IPv6 host in brackets. */
  static String format(String host, int port) {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  @Override
  public String toString() {
    return format(host, port);
  }
}
