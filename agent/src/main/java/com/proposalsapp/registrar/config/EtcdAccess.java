package com.proposalsapp.registrar.config;

import java.net.URI;
import java.util.List;

/**
 * How to reach etcd.
 *
 * @param endpoints http:// or https:// URLs, all of one scheme, each a scheme, host and port only
 * @param tls how to speak TLS; null exactly when the endpoints are http://
 * @param credentials etcd's user and password; {@link Credentials#NONE} when auth is off
 */
public record EtcdAccess(List<URI> endpoints, TlsFiles tls, Credentials credentials) {

  public EtcdAccess {
    endpoints = List.copyOf(endpoints);
  }

  /** Plaintext, no auth: what a test's own etcd needs. */
  public static EtcdAccess plain(List<URI> endpoints) {
    return new EtcdAccess(endpoints, null, Credentials.NONE);
  }

  /** The endpoints as the comma list etcdctl takes. */
  public String list() {
    return String.join(",", endpoints.stream().map(URI::toString).toList());
  }
}
