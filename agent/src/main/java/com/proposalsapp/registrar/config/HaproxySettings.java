package com.proposalsapp.registrar.config;

import com.proposalsapp.registrar.core.HostPort;
import java.nio.file.Path;

/**
 * The HAProxy that {@code route} drives.
 *
 * @param socket its stats socket (level admin)
 * @param writeBind the write listener, in the printed configuration
 * @param readBind the read listener, in the printed configuration
 * @param localWeight read weight of instances in the router's datacenter
 * @param remoteWeight read weight of the others
 * @param slots server slots per backend in the configuration
 */
public record HaproxySettings(
    Path socket,
    HostPort writeBind,
    HostPort readBind,
    int localWeight,
    int remoteWeight,
    int slots) {

  /** The most slots a backend may have: plenty for a Redis group, and a bounded config. */
  public static final int MAX_SLOTS = 256;

  static HaproxySettings resolve(Resolver r) throws ConfigException {
    Path socket =
        r.required(Options.HAPROXY_SOCKET, "the path of HAProxy's stats socket is required");
    HostPort writeBind = r.get(Options.WRITE_BIND);
    HostPort readBind = r.get(Options.READ_BIND);
    if (writeBind.equals(readBind)) {
      throw r.conflict(
          Options.READ_BIND, "it is the --write-bind address; reads and writes need a port each");
    }
    return new HaproxySettings(
        socket,
        writeBind,
        readBind,
        r.get(Options.LOCAL_WEIGHT),
        r.get(Options.REMOTE_WEIGHT),
        r.get(Options.SLOTS));
  }
}
