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
}
