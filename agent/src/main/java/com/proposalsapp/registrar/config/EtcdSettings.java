package com.proposalsapp.registrar.config;

import static com.proposalsapp.registrar.config.Options.ETCD;
import static com.proposalsapp.registrar.config.Options.ETCD_CACERT;
import static com.proposalsapp.registrar.config.Options.ETCD_CERT;
import static com.proposalsapp.registrar.config.Options.ETCD_KEY;
import static com.proposalsapp.registrar.config.Options.ETCD_PASSWORD_ENV;
import static com.proposalsapp.registrar.config.Options.ETCD_PASSWORD_FILE;
import static com.proposalsapp.registrar.config.Options.ETCD_USER;
import static com.proposalsapp.registrar.config.Options.PREFIX;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where the records live: how to reach etcd, and the key prefix.
 *
 * @param access endpoints, TLS and credentials
 * @param prefix the key prefix, e.g. {@code /service/redis}
 */
public record EtcdSettings(EtcdAccess access, String prefix) {

  static EtcdSettings resolve(Resolver r) throws ConfigException {
    List<URI> endpoints = r.get(ETCD);
    boolean https = endpoints.get(0).getScheme().equals("https");
    Path ca = r.get(ETCD_CACERT);
    Path cert = r.get(ETCD_CERT);
    Path key = r.get(ETCD_KEY);
    TlsFiles tls = null;
    if (https) {
      tls = TlsFiles.of(r, ETCD_CERT, ETCD_KEY, ca, cert, key);
    } else {
      for (var o : List.of(ETCD_CACERT, ETCD_CERT, ETCD_KEY)) {
        if (r.present(o)) {
          throw r.conflict(o, "TLS files are for https:// endpoints, and --etcd is http://");
        }
      }
    }
    return new EtcdSettings(new EtcdAccess(endpoints, tls, credentials(r)), r.get(PREFIX));
  }

  private static Credentials credentials(Resolver r) throws ConfigException {
    String[] user = r.get(ETCD_USER);
    Secret password = r.secret(ETCD_PASSWORD_FILE, ETCD_PASSWORD_ENV);
    if (user == null) {
      if (password != null) {
        throw new ConfigException(
            "an etcd password is configured but no user: give --etcd-user (or ETCDCTL_USER)");
      }
      return Credentials.NONE;
    }
    if (user[1] != null) {
      if (r.givenAsFlag(ETCD_USER)) {
        throw new ConfigException(
            "invalid value for --etcd-user: a password on the command line is visible to every"
                + " user of the host; put it in --etcd-password-file (or ETCDCTL_USER=user:password)");
      }
      if (password == null) {
        password = new Secret(user[1]);
      }
    }
    if (password == null) {
      throw new ConfigException(
          "the etcd user '"
              + user[0]
              + "' has no password: give --etcd-password-file (or ETCDCTL_PASSWORD, or"
              + " ETCDCTL_USER=user:password)");
    }
    return new Credentials(user[0], password);
  }

  /**
   * Parses {@code --etcd}: a comma list of {@code http://host:port} or {@code https://host:port} (a
   * bare {@code host:port} means http://), nothing else: no path, query or credentials, and one
   * scheme for all.
   */
  static List<URI> parseEndpoints(String v) {
    List<URI> out = new ArrayList<>();
    for (String part : v.split(",", -1)) {
      String s = part.trim();
      if (s.isEmpty()) {
        throw new IllegalArgumentException("an endpoint is empty");
      }
      if (s.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
        throw new IllegalArgumentException("an endpoint contains a space or a control character");
      }
      if (!s.contains("://")) {
        s = "http://" + s;
      }
      URI uri;
      try {
        uri = new URI(s);
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("not a URL: " + part.trim());
      }
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        throw new IllegalArgumentException("endpoint must be http:// or https://: " + part.trim());
      }
      if (uri.getRawUserInfo() != null) {
        throw new IllegalArgumentException(
            "credentials inside a URL are refused (they would be printed and ignored): use"
                + " --etcd-user and --etcd-password-file");
      }
      if (uri.getHost() == null || uri.getPort() < 1 || uri.getPort() > 65535) {
        throw new IllegalArgumentException(
            "endpoint needs a host and a port in 1..65535 (an IPv6 address in brackets): "
                + part.trim());
      }
      String path = uri.getRawPath();
      if ((path != null && !path.isEmpty() && !path.equals("/"))
          || uri.getRawQuery() != null
          || uri.getRawFragment() != null) {
        throw new IllegalArgumentException(
            "an endpoint is a scheme, a host and a port, without path or query: " + part.trim());
      }
      out.add(URI.create(scheme + "://" + uri.getRawAuthority()));
    }
    if (out.stream().map(URI::getScheme).distinct().count() > 1) {
      throw new IllegalArgumentException("mixes http:// and https:// endpoints");
    }
    if (out.stream().distinct().count() != out.size()) {
      throw new IllegalArgumentException("an endpoint is listed twice");
    }
    return List.copyOf(out);
  }
}
