package com.proposalsapp.registrar.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * The routing benchmark's HAProxy ({@code haproxy -db}, Debian's 2.6): a write and a read listener
 * on loopback ports and a stats socket at admin level, from a configuration the caller renders.
 */
final class RoutingBenchHaproxy extends ServerProcess {

  /** Where the configuration must put the two listeners and the stats socket. */
  record Listeners(String writeBind, String readBind, Path socket) {}

  private final Listeners listeners;
  private final Path configFile;

  private RoutingBenchHaproxy(Path parentDir, String name) {
    super(parentDir, name);
    // The base class's port is the write listener's; the read listener gets one more.
    listeners = new Listeners(address(), HOST + ":" + Ports.free(), shortSocketPath());
    configFile = dir().resolve("haproxy.cfg");
  }

  /** Writes the configuration {@code render} makes for the listeners, then starts HAProxy on it. */
  static RoutingBenchHaproxy start(
      Path parentDir, String name, Function<Listeners, String> render) {
    RoutingBenchHaproxy haproxy = new RoutingBenchHaproxy(parentDir, name);
    try {
      Files.writeString(haproxy.configFile, render.apply(haproxy.listeners));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    haproxy.start();
    return haproxy;
  }

  /** HAProxy refuses a stats socket path longer than 97 bytes: the sandbox's is too deep. */
  private static Path shortSocketPath() {
    try {
      return Files.createTempDirectory(Path.of("/tmp"), "haproxy-").resolve("admin.sock");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    super.close();
    try {
      Files.deleteIfExists(listeners.socket());
      Files.deleteIfExists(listeners.socket().getParent());
    } catch (IOException e) {
      // a leftover empty directory under /tmp is harmless
    }
  }

  Listeners listeners() {
    return listeners;
  }

  Path configFile() {
    return configFile;
  }

  @Override
  protected List<String> command() {
    return List.of("haproxy", "-db", "-f", configFile.toString());
  }

  @Override
  protected boolean probe() throws IOException {
    return runtimeApi("show info").contains("Name: HAProxy");
  }

  /** Sends one Runtime API command on the stats socket and returns the whole answer. */
  String runtimeApi(String command) throws IOException {
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(listeners.socket()));
      channel.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.UTF_8)));
      StringBuilder answer = new StringBuilder();
      ByteBuffer buffer = ByteBuffer.allocate(8192);
      while (channel.read(buffer) >= 0) {
        buffer.flip();
        answer.append(StandardCharsets.UTF_8.decode(buffer));
        buffer.clear();
      }
      return answer.toString();
    }
  }
}
