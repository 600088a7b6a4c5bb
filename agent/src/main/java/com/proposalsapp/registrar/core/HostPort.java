package com.proposalsapp.registrar.core;

import java.util.function.BiFunction;

/** A network address as {@code host:port}, with a port in 1..65535. */
public record HostPort(String host, int port) {

  public HostPort {
    if (host == null
        || host.isBlank()
        || host.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
      throw new IllegalArgumentException(
          "host must be non-empty and contain no spaces or controls");
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
   * expected} is the message when the text has no such shape. The host is a DNS name, an IPv4
   * address or an IPv6 address in brackets; the port is digits only.
   */
  static <T> T split(String text, String expected, BiFunction<String, Integer, T> make) {
    String s = text == null ? "" : text.trim();
    if (s.contains("://")) {
      throw new IllegalArgumentException(expected + ", not a URL");
    }
    if (s.indexOf(',') >= 0) {
      throw new IllegalArgumentException(expected + ": one address, not a list");
    }
    int colon = s.lastIndexOf(':');
    if (colon <= 0 || colon == s.length() - 1) {
      throw new IllegalArgumentException(expected);
    }
    String host = s.substring(0, colon);
    String digits = s.substring(colon + 1);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
      if (!isIpv6(host)) {
        throw new IllegalArgumentException("not an IPv6 address in brackets: [" + host + "]");
      }
    } else if (host.indexOf(':') >= 0) {
      throw new IllegalArgumentException(
          expected + " (put an IPv6 address in brackets: [::1]:port)");
    } else if (!isHostName(host)) {
      throw new IllegalArgumentException(
          "not a host name or IPv4 address: use letters, digits, '-' and '.' only");
    }
    if (!PORT.matcher(digits).matches()) {
      throw new IllegalArgumentException("port is not a number");
    }
    return make.apply(host, Integer.parseInt(digits));
  }

  private static final java.util.regex.Pattern PORT = java.util.regex.Pattern.compile("[0-9]{1,5}");

  // RFC 1123 labels (which also cover dotted IPv4), at most 253 characters in all
  private static final java.util.regex.Pattern HOST_NAME =
      java.util.regex.Pattern.compile(
          "(?=.{1,253}$)([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)(\\.([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?))*\\.?");

  private static final java.util.regex.Pattern IPV6 =
      java.util.regex.Pattern.compile("[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?");

  static boolean isHostName(String host) {
    return HOST_NAME.matcher(host).matches();
  }

  static boolean isIpv6(String host) {
    if (!IPV6.matcher(host).matches() || host.indexOf(':') < 0) {
      return false;
    }
    try {
      // a literal with a colon is parsed, never looked up
      return java.net.InetAddress.getByName(host) != null;
    } catch (java.net.UnknownHostException e) {
      return false;
    }
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
