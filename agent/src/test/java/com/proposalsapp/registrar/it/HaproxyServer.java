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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A real HAProxy (Debian's 2.6) in the foreground with two loopback listeners, the write one on
 * {@link #port()} and the read one on {@link #readPort()}, and its Runtime API on a Unix socket
 * under {@code /tmp} (HAProxy refuses a socket path of more than 97 bytes, which a test directory
 * in a deep checkout exceeds), observed independently of the router's code through that socket.
 */
public final class HaproxyServer extends ServerProcess {

  /** One line of {@code show servers state}: what HAProxy does with one server slot now. */
  public record ServerState(
      String backend,
      String server,
      String host,
      int port,
      int opState,
      int adminState,
      int weight) {

    /** The bits of {@code srv_admin_state} that mean maintenance (forced, inherited, DNS). */
    static final int MAINT = 0x23;

    /** The bits of {@code srv_admin_state} that mean draining (forced or inherited). */
    static final int DRAIN = 0x18;

    /** Whether HAProxy may send new connections to it: neither in maintenance nor draining. */
    public boolean active() {
      return (adminState & (MAINT | DRAIN)) == 0;
    }

    public String address() {
      return host + ":" + port;
    }
  }

  private final int readPort = Ports.free();
  private final Path socket;
  private final Path configFile;

  private HaproxyServer(Path parentDir, String name) {
    super(parentDir, name);
    try {
      this.socket = Files.createTempDirectory(Path.of("/tmp"), "rr-haproxy-").resolve("admin.sock");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.configFile = dir().resolve("haproxy.cfg");
  }

  /**
   * Writes the configuration that {@code config} makes for this server (its ports and socket are
   * known by then), checks it with {@code haproxy -c} and starts HAProxy on it.
   */
  public static HaproxyServer start(
      Path parentDir, String name, Function<HaproxyServer, String> config) {
    HaproxyServer server = new HaproxyServer(parentDir, name);
    try {
      Files.writeString(server.configFile, config.apply(server), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    AgentProcess.Result check = server.check();
    if (check.exitCode() != 0) {
      throw new IllegalStateException(
          "haproxy -c rejected " + server.configFile + ": " + check.stdout() + check.stderr());
    }
    server.start();
    return server;
  }

  @Override
  protected List<String> command() {
    return List.of("haproxy", "-db", "-f", configFile.toString());
  }

  /** The Runtime API answers {@code show info} once HAProxy has bound its listeners. */
  @Override
  protected boolean probe() {
    return runtime("show info").contains("Name: HAProxy");
  }

  /** {@code haproxy -c -f <config>}: the configuration check an operator runs. */
  public AgentProcess.Result check() {
    return Exec.run(
        java.time.Duration.ofSeconds(30),
        Map.of(),
        List.of("haproxy", "-c", "-f", configFile.toString()));
  }

  public Path configFile() {
    return configFile;
  }

  /** The Unix socket of the Runtime API (the stats socket at level admin). */
  public Path socket() {
    return socket;
  }

  /** The write listener's port, the same as {@link #port()}. */
  public int writePort() {
    return port();
  }

  public int readPort() {
    return readPort;
  }

  public String writeAddress() {
    return address();
  }

  public String readAddress() {
    return HOST + ":" + readPort;
  }

  /** Sends one command to the Runtime API and returns its whole answer. */
  public String runtime(String command) {
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(socket));
      channel.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.UTF_8)));
      // Without "prompt", HAProxy answers one command and closes the connection.
      StringBuilder answer = new StringBuilder();
      ByteBuffer buffer = ByteBuffer.allocate(8192);
      while (channel.read(buffer) >= 0) {
        buffer.flip();
        answer.append(StandardCharsets.UTF_8.decode(buffer));
        buffer.clear();
      }
      return answer.toString();
    } catch (IOException e) {
      throw new UncheckedIOException("HAProxy Runtime API at " + socket + ": " + command, e);
    }
  }

  /** {@code show servers state}, one entry per server slot, in backend and slot order. */
  public List<ServerState> servers() {
    List<ServerState> out = new ArrayList<>();
    for (String line : runtime("show servers state").split("\n")) {
      String[] f = line.trim().split(" ");
      if (f.length < 19 || line.startsWith("#")) {
        continue;
      }
      // be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight
      // srv_iweight ... srv_fqdn srv_port ...
      out.add(
          new ServerState(
              f[1],
              f[3],
              f[4],
              Integer.parseInt(f[18]),
              Integer.parseInt(f[5]),
              Integer.parseInt(f[6]),
              Integer.parseInt(f[7])));
    }
    return out;
  }

  /** The slots of {@code backend} that take new connections now. */
  public List<ServerState> active(String backend) {
    return servers().stream().filter(s -> s.backend().equals(backend) && s.active()).toList();
  }

  /** {@code show stat}: the current sessions ({@code scur}) of each server of {@code backend}. */
  public Map<String, Integer> sessions(String backend) {
    Map<String, Integer> out = new LinkedHashMap<>();
    String[] lines = runtime("show stat").split("\n");
    if (lines.length == 0) {
      return out;
    }
    List<String> header = List.of(lines[0].replaceFirst("^# ", "").split(","));
    int scur = header.indexOf("scur");
    for (String line : lines) {
      String[] f = line.split(",", -1);
      if (f.length > scur && f[0].equals(backend) && !f[1].equals("BACKEND")) {
        out.put(f[1], Integer.parseInt(f[scur]));
      }
    }
    return out;
  }

  /** The slot of {@code backend} that holds {@code address}, if any. */
  public Optional<ServerState> slotOf(String backend, String address) {
    return servers().stream()
        .filter(s -> s.backend().equals(backend) && s.address().equals(address))
        .findFirst();
  }

  /**
   * The status HAProxy's checks give each server of {@code backend} ({@code UP}, {@code DOWN},
   * {@code MAINT}, {@code UP 1/2}...), by server name, from {@code show stat}.
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
    String csv = runtime("show stat");
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

  /** Kills HAProxy and removes its socket's directory. */
  @Override
  public void close() {
    super.close();
    try {
      Files.deleteIfExists(socket);
      Files.deleteIfExists(socket.getParent());
    } catch (IOException e) {
      // a leftover empty directory under /tmp is harmless
    }
  }
}
