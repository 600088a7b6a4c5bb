package com.proposalsapp.registrar.config;

import java.nio.file.Path;

/**
 * How to speak TLS to a server: the CA that signs its certificate, and an optional client
 * certificate with its key.
 *
 * @param caCert PEM file of the CA to trust; null to trust the JVM's default CAs
 * @param cert PEM client certificate; null for none (then {@code key} is null too)
 * @param key PEM private key (PKCS#8) of {@code cert}; null exactly when {@code cert} is
 */
public record TlsFiles(Path caCert, Path cert, Path key) {

  public TlsFiles {
    if ((cert == null) != (key == null)) {
      throw new IllegalArgumentException(
          "a client certificate needs its key, and a key its certificate");
    }
  }

  /** The TLS files of one server kind, checked together: a certificate needs its key. */
  static TlsFiles of(Resolver r, Opt<Path> certOpt, Opt<Path> keyOpt, Path ca, Path cert, Path key)
      throws ConfigException {
    if (cert != null && key == null) {
      throw new ConfigException(
          "missing " + keyOpt.flag() + ": " + certOpt.flag() + " needs the key of its certificate");
    }
    if (key != null && cert == null) {
      throw new ConfigException(
          "missing " + certOpt.flag() + ": " + keyOpt.flag() + " is the key of a certificate");
    }
    if (key != null && SecretFiles.readableByOthers(key)) {
      r.warn(
          "the key file "
              + key
              + " ("
              + keyOpt.flag()
              + ") can be read by group or others: chmod 600 it");
    }
    return new TlsFiles(ca, cert, key);
  }
}
