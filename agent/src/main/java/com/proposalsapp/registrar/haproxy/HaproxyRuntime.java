package com.proposalsapp.registrar.haproxy;

import com.proposalsapp.registrar.core.Balancer;
import com.proposalsapp.registrar.core.BalancerException;
import com.proposalsapp.registrar.core.HostPort;
import com.proposalsapp.registrar.core.Listener;
import com.proposalsapp.registrar.core.ServerSlot;
import com.proposalsapp.registrar.core.SlotChange;
import com.proposalsapp.registrar.core.SlotState;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * HAProxy's Runtime API on its stats socket (level admin): {@code show servers state} to read the
 * slots of the router's two backends, and {@code set server}, {@code set weight} and {@code
 * shutdown sessions} to change them. Changes apply at once and need no reload.
 */
public final class HaproxyRuntime implements Balancer {

  /** {@code srv_admin_state} bits meaning maintenance: forced, inherited, address resolution. */
  static final int ADMIN_MAINT = 0x23;

  /** {@code srv_admin_state} bits meaning drain: forced or inherited. */
  static final int ADMIN_DRAIN = 0x18;

  private final Path socket;
  private final Duration timeout;
  private final ExecutorService io =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "haproxy-runtime");
            t.setDaemon(true);
            return t;
          });

  /**
   * @param socket the stats socket's path
   * @param timeout the bound on one request (connect, send, read the whole answer)
   */
  public HaproxyRuntime(Path socket, Duration timeout) {
    this.socket = socket;
    this.timeout = timeout;
  }

  @Override
  public List<ServerSlot> slots() throws BalancerException {
    return parseServersState(request("show servers state"));
  }

  @Override
  public void apply(List<SlotChange> commands) throws BalancerException {
    if (commands.isEmpty()) {
      return;
    }
    List<String> lines = commands.stream().map(HaproxyRuntime::render).toList();
    // One request for the whole plan: HAProxy runs the commands one after the other, so a switch
    // of master is not interleaved with other requests.
    String answer = request(String.join("; ", lines));
    List<String> refused = new ArrayList<>();
    for (String line : answer.split("\n")) {
      String l = line.strip();
      if (!l.isEmpty()
          && !l.startsWith("IP changed from")
          && !l.startsWith("no need to change the addr")
          && !l.startsWith("port changed from")) {
        refused.add(l);
      }
    }
    if (!refused.isEmpty()) {
      throw new BalancerException(
          "HAProxy at "
              + socket
              + " refused part of ["
              + String.join("; ", lines)
              + "]: "
              + String.join(" / ", refused));
    }
  }

  /** The Runtime API text of one command. */
  static String render(SlotChange c) {
    String server = HaproxyConfig.backend(c.listener()) + "/" + c.slot();
    if (c instanceof SlotChange.SetAddress a) {
      return "set server " + server + " addr " + a.address().host() + " port " + a.address().port();
    }
    if (c instanceof SlotChange.SetWeight w) {
      return "set weight " + server + " " + w.weight();
    }
    if (c instanceof SlotChange.SetState s) {
      return "set server " + server + " state " + s.state().wire();
    }
    return "shutdown sessions server " + server;
  }

  /**
   * Parses {@code show servers state} (format 1) into the slots of the router's two backends; other
   * backends are not the router's and are left out.
   */
  static List<ServerSlot> parseServersState(String text) throws BalancerException {
    List<ServerSlot> out = new ArrayList<>();
    String[] lines = text.split("\n");
    if (lines.length == 0 || !lines[0].strip().equals("1")) {
      throw new BalancerException(
          "HAProxy answered 'show servers state' with something other than format 1: "
              + (lines.length == 0 ? "nothing" : lines[0]));
    }
    for (String line : lines) {
      String[] f = line.strip().split(" ");
      if (line.startsWith("#") || f.length < 19) {
        continue;
      }
      // be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight
      // srv_iweight srv_time_since_last_change ... srv_fqdn srv_port ...
      Listener listener = HaproxyConfig.listenerOf(f[1]);
      if (listener == null) {
        continue;
      }
      try {
        int admin = Integer.parseInt(f[6]);
        SlotState state =
            (admin & ADMIN_MAINT) != 0
                ? SlotState.MAINT
                : (admin & ADMIN_DRAIN) != 0 ? SlotState.DRAIN : SlotState.READY;
        out.add(
            new ServerSlot(
                listener,
                f[3],
                new HostPort(f[4], Integer.parseInt(f[18])),
                state,
                Integer.parseInt(f[7])));
      } catch (IllegalArgumentException e) {
        throw new BalancerException("unexpected line in 'show servers state': " + line);
      }
    }
    return out;
  }

  private String request(String command) throws BalancerException {
    Future<String> call = io.submit(() -> exchange(command));
    try {
      return call.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      call.cancel(true);
      throw new BalancerException(
          "HAProxy at " + socket + " did not answer within " + timeout.toMillis() + " ms", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BalancerException("interrupted talking to HAProxy at " + socket, e);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable c = e.getCause();
      String why =
          c instanceof java.net.SocketException && c.getMessage() != null
              ? c.getMessage()
              : c instanceof java.nio.file.NoSuchFileException
                  ? "no such socket"
                  : String.valueOf(c.getMessage() == null ? c : c.getMessage());
      throw new BalancerException("HAProxy at " + socket + ": " + why, c);
    }
  }

  private String exchange(String command) throws IOException {
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(socket));
      channel.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.UTF_8)));
      // Without "prompt" HAProxy answers the line and closes the connection.
      return new String(Channels.newInputStream(channel).readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Stops the thread that talks to the socket. */
  public void close() {
    io.shutdownNow();
  }
}
