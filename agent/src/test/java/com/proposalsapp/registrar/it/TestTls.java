package com.proposalsapp.registrar.it;

import com.proposalsapp.registrar.config.TlsFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * A CA, a server certificate and a client certificate made with {@code openssl} in a test's
 * directory (EC P-256 keys, PKCS#8 PEM, valid two days).
 */
public final class TestTls {
  private static final Duration OPENSSL_TIMEOUT = Duration.ofSeconds(30);
  private static final String CURVE = "ec_paramgen_curve:prime256v1";
  private static final String P12_PASSWORD = "harness";

  private final Path dir;

  private TestTls(Path dir) {
    this.dir = dir;
  }

  /**
   * Makes the files in {@code dir}; the server certificate names {@code serverNames}, each as
   * openssl writes a subjectAltName ("DNS:localhost", "IP:127.0.0.1", "IP:::1").
   */
  public static TestTls create(Path dir, String... serverNames) {
    TestTls t = new TestTls(dir);
    try {
      Files.createDirectories(dir);
      t.openssl(
          "req",
          "-x509",
          "-newkey",
          "ec",
          "-pkeyopt",
          CURVE,
          "-nodes",
          "-keyout",
          "ca.key",
          "-out",
          "ca.crt",
          "-days",
          "2",
          "-subj",
          "/CN=registrar-test-ca",
          "-addext",
          "basicConstraints=critical,CA:TRUE",
          "-addext",
          "keyUsage=critical,keyCertSign,cRLSign");
      t.signed("server", String.join(",", serverNames));
      t.signed("client", "DNS:registrar");
      t.openssl(
          "pkcs12",
          "-export",
          "-in",
          "client.crt",
          "-inkey",
          "client.key",
          "-out",
          "client.p12",
          "-passout",
          "pass:" + P12_PASSWORD);
      for (String key : List.of("ca.key", "server.key", "client.key")) {
        Files.setPosixFilePermissions(
            dir.resolve(key), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return t;
  }

  private void signed(String name, String subjectAltNames) throws IOException {
    openssl(
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        CURVE,
        "-nodes",
        "-keyout",
        name + ".key",
        "-out",
        name + ".csr",
        "-subj",
        "/CN=" + name);
    Files.writeString(dir.resolve(name + ".ext"), "subjectAltName=" + subjectAltNames + "\n");
    openssl(
        "x509",
        "-req",
        "-in",
        name + ".csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        name + ".crt",
        "-days",
        "2",
        "-extfile",
        name + ".ext");
  }

  private void openssl(String... args) {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    AgentProcess.Result r = Exec.run(OPENSSL_TIMEOUT, java.util.Map.of(), command, dir);
    if (r.exitCode() != 0) {
      throw new IllegalStateException(
          "openssl " + String.join(" ", args) + ": " + r.stdout() + r.stderr());
    }
  }

  /** The client key in OpenSSL's traditional format ("EC PRIVATE KEY"), not PKCS#8. */
  public Path traditionalClientKey() {
    Path file = dir.resolve("client-traditional.key");
    if (!Files.exists(file)) {
      openssl("pkey", "-in", "client.key", "-traditional", "-out", file.getFileName().toString());
    }
    return file;
  }

  public Path ca() {
    return dir.resolve("ca.crt");
  }

  public Path serverCert() {
    return dir.resolve("server.crt");
  }

  public Path serverKey() {
    return dir.resolve("server.key");
  }

  public Path clientCert() {
    return dir.resolve("client.crt");
  }

  public Path clientKey() {
    return dir.resolve("client.key");
  }

  /** What the agent is given: the CA, and the client certificate and key when {@code withCert}. */
  public TlsFiles files(boolean withCert) {
    return withCert
        ? new TlsFiles(ca(), clientCert(), clientKey())
        : new TlsFiles(ca(), null, null);
  }

  /**
   * The harness's own TLS (trusting the CA, presenting the client certificate), made with the JDK
   * from openssl's PKCS#12 so that it does not depend on the agent's code under test.
   */
  public SSLSocketFactory harnessSocketFactory() {
    try (InputStream caIn = Files.newInputStream(ca());
        InputStream p12 = Files.newInputStream(dir.resolve("client.p12"))) {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry(
          "ca", CertificateFactory.getInstance("X.509").generateCertificate(caIn));
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(p12, P12_PASSWORD.toCharArray());
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, P12_PASSWORD.toCharArray());
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return context.getSocketFactory();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The lines of a redis-server or redis-sentinel config that serve TLS on {@code port} (plaintext
   * off) and speak it on their own links ({@code tls-replication}); {@code clientCerts} is
   * tls-auth-clients: "yes", "optional" or "no".
   */
  public List<String> serverConfig(int port, String clientCerts) {
    return List.of(
        "port 0",
        "tls-port " + port,
        "tls-cert-file \"" + serverCert() + "\"",
        "tls-key-file \"" + serverKey() + "\"",
        "tls-ca-cert-file \"" + ca() + "\"",
        "tls-auth-clients " + clientCerts,
        "tls-replication yes");
  }
}
