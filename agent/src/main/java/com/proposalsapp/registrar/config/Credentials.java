package com.proposalsapp.registrar.config;

/**
 * Who to log in as.
 *
 * @param user the user name; null for the server's default user (Redis's {@code default})
 * @param password the password; null for none
 */
public record Credentials(String user, Secret password) {

  /** No user, no password. */
  public static final Credentials NONE = new Credentials(null, null);

  /** The password's current value, or null. Read it at each connection: it can be rotated. */
  public String passwordValue() {
    return password == null ? null : password.value();
  }

  @Override
  public String toString() {
    return "Credentials[user=" + user + ", password=" + (password == null ? "none" : "****") + "]";
  }
}
