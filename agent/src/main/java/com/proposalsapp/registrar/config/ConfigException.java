package com.proposalsapp.registrar.config;

/** A setting is missing or invalid; the message is one line naming the option and the value. */
public class ConfigException extends Exception {

  public ConfigException(String message) {
    super(message);
  }
}
