package com.proposalsapp.registrar.redis;

import com.proposalsapp.registrar.config.TlsFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS from PEM files with the JDK alone: the CA to trust and an optional client certificate with
 * its PKCS#8 key. The host name (or IP address) connected to must match the server's certificate.
 */
final class PemTls {

  private static final String BEGIN_KEY = "-----BEGIN PRIVATE KEY-----";
  private static final String END_KEY = "-----END PRIVATE KEY-----";
  private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519", "Ed448");
  private static final char[] NO_PASSWORD = new char[0];

  private PemTls() {}

  /** A socket factory trusting {@code files}' CA and presenting its client certificate, if any. */
  static SSLSocketFactory socketFactory(TlsFiles files) {
    try {
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(files.caCert() == null ? null : trustStore(files.caCert()));
      KeyManager[] keyManagers = null;
      if (files.cert() != null) {
        KeyManagerFactory kmf =
            KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore(files.cert(), files.key()), NO_PASSWORD);
        keyManagers = kmf.getKeyManagers();
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers, tmf.getTrustManagers(), null);
      return context.getSocketFactory();
    } catch (GeneralSecurityException e) {
      throw new TlsFilesException("TLS files unusable: " + e.getMessage(), e);
    }
  }

  /** Hostname verification on: the handshake checks the certificate against the host asked for. */
  static SSLParameters parameters() {
    SSLParameters p = new SSLParameters();
    p.setEndpointIdentificationAlgorithm("HTTPS");
    return p;
  }

  private static KeyStore trustStore(Path caFile) throws GeneralSecurityException {
    List<Certificate> cas = certificates(caFile);
    KeyStore ks = emptyStore();
    for (int i = 0; i < cas.size(); i++) {
      ks.setCertificateEntry("ca-" + i, cas.get(i));
    }
    return ks;
  }

  private static KeyStore keyStore(Path certFile, Path keyFile) throws GeneralSecurityException {
    List<Certificate> chain = certificates(certFile);
    KeyStore ks = emptyStore();
    ks.setKeyEntry("client", privateKey(keyFile), NO_PASSWORD, chain.toArray(Certificate[]::new));
    return ks;
  }

  private static KeyStore emptyStore() throws GeneralSecurityException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try {
      ks.load(null, null);
    } catch (IOException e) {
      throw new GeneralSecurityException(e);
    }
    return ks;
  }

  private static List<Certificate> certificates(Path file) throws GeneralSecurityException {
    try (InputStream in = Files.newInputStream(file)) {
      List<Certificate> certs =
          List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
      if (certs.isEmpty()) {
        throw new TlsFilesException(file + " holds no PEM certificate");
      }
      return certs;
    } catch (IOException e) {
      throw new TlsFilesException("cannot read " + file + ": " + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new TlsFilesException(file + " is not a PEM certificate: " + e.getMessage(), e);
    }
  }

  /** The PKCS#8 key of a PEM file; a PKCS#1 or encrypted key is refused with how to convert it. */
  static PrivateKey privateKey(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new TlsFilesException("cannot read the key " + file + ": " + e.getMessage(), e);
    }
    int begin = text.indexOf(BEGIN_KEY);
    int end = text.indexOf(END_KEY);
    if (begin < 0 || end < begin) {
      String hint =
          text.contains("ENCRYPTED PRIVATE KEY")
              ? "an encrypted key: decrypt it"
              : text.contains("RSA PRIVATE KEY") || text.contains("EC PRIVATE KEY")
                  ? "not PKCS#8"
                  : "no '" + BEGIN_KEY + "' block";
      throw new TlsFilesException(
          "the key "
              + file
              + " is "
              + hint
              + " (convert it with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8)");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(text.substring(begin + BEGIN_KEY.length(), end));
    } catch (IllegalArgumentException e) {
      throw new TlsFilesException("the key " + file + " is not valid base64", e);
    }
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    for (String algorithm : KEY_ALGORITHMS) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException e) {
        // try the next algorithm
      }
    }
    throw new TlsFilesException(
        "the key " + file + " is not an RSA, EC or EdDSA key in PKCS#8 that this JVM can read");
  }

  /** TLS files that cannot be used; the message names the file and what is wrong. */
  static final class TlsFilesException extends RuntimeException {
    TlsFilesException(String message) {
      super(message);
    }

    TlsFilesException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
