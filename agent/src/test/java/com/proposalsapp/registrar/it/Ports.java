package com.proposalsapp.registrar.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Hands out free loopback ports, never the same one twice in a JVM.
 *
 * <p>Ports come from below the kernel's ephemeral range (32768+), so a client socket cannot take a
 * server's port while the server is down between {@code kill()} and {@code restart()}.
 */
final class Ports {
  private static final int LOW = 10_000;
  private static final int HIGH = 32_000;
  private static final Set<Integer> handedOut = new HashSet<>();

  private Ports() {}

  static synchronized int free() {
    int start = ThreadLocalRandom.current().nextInt(LOW, HIGH);
    for (int i = 0; i < HIGH - LOW; i++) {
      int port = LOW + (start - LOW + i) % (HIGH - LOW);
      if (!handedOut.contains(port) && bindable(port)) {
        handedOut.add(port);
        return port;
      }
    }
    throw new IllegalStateException("no free port in [" + LOW + ", " + HIGH + ")");
  }

  private static boolean bindable(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
