package com.proposalsapp.registrar.etcd;

/**
 * Where everything for one master name lives in etcd: {@code <prefix>/<master-name>/master} and
 * {@code <prefix>/<master-name>/instances/<id>}.
 */
public record KeyLayout(String prefix, String masterName) {

  /** Everything for the master name: {@code <prefix>/<master-name>/}. */
  public String group() {
    return prefix + "/" + masterName + "/";
  }

  /** The instance records' prefix: {@code <prefix>/<master-name>/instances/}. */
  public String instances() {
    return group() + "instances/";
  }

  /** The key of the instance record of {@code id}. */
  public String instance(String id) {
    return instances() + id;
  }

  /** The master key: {@code <prefix>/<master-name>/master}. */
  public String master() {
    return group() + "master";
  }
}
