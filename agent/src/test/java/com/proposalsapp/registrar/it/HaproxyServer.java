package com.proposalsapp.registrar.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * An {@code haproxy} process (Debian's) in the foreground, running a configuration given as text,
 * with its Runtime API on a Unix socket in its own directory.
 *
 * <p>The configuration must declare {@code stats socket <statsSocket()> level admin} in its {@code
 * global} section: readiness is probed through it, and {@link #command} uses it. {@link #port()} is
 * a free port reserved for the caller's first listener; take more from {@link Ports#free()}.
 */
public final class HaproxyServer extends ServerProcess {
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);

  private final Path configFile;
  private final Path statsSocket;

  private HaproxyServer(Path parentDir, String name) {
    super(parentDir, name);
    configFile = dir().resolve("haproxy.cfg");
    statsSocket = dir().resolve("stats.sock");
  }

  /**
   * Writes the configuration {@code config} makes for the new server (it may use {@link #port()}
   * and {@link #statsSocket()}), checks it with {@code haproxy -c}, starts HAProxy and waits until
   * its Runtime API answers.
   */
  public static HaproxyServer start(
      Path parentDir, String name, Function<HaproxyServer, String> config) {
    HaproxyServer server = new HaproxyServer(parentDir, name);
    server.writeConfig(config.apply(server));
    server.start();
    return server;
  }

  /** The Unix socket of the Runtime API. */
  public Path statsSocket() {
    return statsSocket;
  }

  public Path configFile() {
    return configFile;
  }

  /** Replaces the configuration file (checked with {@code haproxy -c}); takes effect on restart. */
  public void writeConfig(String text) {
    try {
      Files.writeString(configFile, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    AgentProcess.Result check =
        Exec.run(COMMAND_TIMEOUT, Map.of(), List.of("haproxy", "-c", "-f", configFile.toString()));
    if (check.exitCode() != 0) {
      throw new IllegalArgumentException(
          "haproxy -c rejected " + configFile + ":\n" + check.stdout() + check.stderr());
    }
  }

  @Override
  protected List<String> command() {
    return List.of("haproxy", "-db", "-f", configFile.toString());
  }

  @Override
  protected boolean probe() throws IOException {
    return command("show info").contains("Name: HAProxy");
  }

  /** Sends one Runtime API command and returns HAProxy's whole answer. */
  public String command(String line) throws IOException {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(statsSocket));
      ch.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
      StringBuilder out = new StringBuilder();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
      for (String l = in.readLine(); l != null; l = in.readLine()) {
        out.append(l).append('\n');
      }
      return out.toString();
    }
  }

  /**
   * The status HAProxy gives each server of {@code backend} ({@code UP}, {@code DOWN}, {@code
   * MAINT}, {@code UP 1/2}...), by server name, from {@code show stat}.
   */
  public Map<String, String> serverStatus(String backend) {
    Map<String, String> out = new LinkedHashMap<>();
    stat(backend).forEach((server, columns) -> out.put(server, columns.get("status")));
    return out;
  }

  /**
   * Every column of {@code show stat} ({@code status}, {@code check_status}, {@code weight}...) for
   * each server of {@code backend}, by server name.
   */
  public Map<String, Map<String, String>> stat(String backend) {
    String csv;
    try {
      csv = command("show stat");
    } catch (IOException e) {
      throw new UncheckedIOException("show stat on " + statsSocket, e);
    }
    String[] header = null;
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    for (String row : csv.split("\n")) {
      if (row.startsWith("# ")) {
        header = row.substring(2).split(",", -1);
        continue;
      }
      if (header == null || row.isBlank()) {
        continue;
      }
      String[] f = row.split(",", -1);
      if (f[0].equals(backend) && !f[1].equals("BACKEND") && !f[1].equals("FRONTEND")) {
        Map<String, String> columns = new LinkedHashMap<>();
        for (int i = 0; i < header.length && i < f.length; i++) {
          columns.put(header[i], f[i]);
        }
        out.put(f[1], columns);
      }
    }
    return out;
  }
}
