package com.proposalsapp.registrar.core;

import java.util.List;

/**
 * What the registry holds for one master name at one moment, as the router reads it.
 *
 * @param master the master key's value; null when the key is absent or not a valid value
 * @param instances every instance record that decoded, in key order
 * @param invalid one line per key whose value is not valid (key and why), in key order
 */
public record RouteView(MasterRecord master, List<InstanceRecord> instances, List<String> invalid) {

  public RouteView {
    instances = List.copyOf(instances);
    invalid = List.copyOf(invalid);
  }
}
