package com.proposalsapp.registrar.core;

/**
 * An address to listen on, {@code host:port}; port 0 asks for any free port, a host of {@code
 * 0.0.0.0} or {@code ::} for every interface.
 */
public record BindAddress(String host, int port) {

  public BindAddress {
    if (host == null || host.isBlank() || host.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException("host must be non-empty and contain no spaces");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in 0..65535, not " + port);
    }
  }

  /** Parses {@code host:port} or {@code [ipv6]:port}. */
  public static BindAddress parse(String text) {
    return HostPort.split(text, "expected host:port or off", BindAddress::new);
  }

  /** Whether this listens on every interface. */
  public boolean wildcard() {
    return host.equals("0.0.0.0") || host.equals("::");
  }

  @Override
  public String toString() {
    return HostPort.format(host, port);
  }
}
