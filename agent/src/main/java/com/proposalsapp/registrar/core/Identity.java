package com.proposalsapp.registrar.core;

/**
 * Who this agent speaks for.
 *
 * @param id the instance id, the last segment of its etcd key
 * @param masterName the Sentinel master name (the replication group)
 * @param dc the datacenter
 * @param announce the address published for clients
 * @param redis the address the agent itself connects to
 * @param http where other nodes reach the agent's HTTP checks; null when it serves none
 */
public record Identity(
    String id, String masterName, String dc, HostPort announce, HostPort redis, HostPort http) {

  /** An identity without HTTP checks. */
  public Identity(String id, String masterName, String dc, HostPort announce, HostPort redis) {
    this(id, masterName, dc, announce, redis, null);
  }

  /** This identity with its HTTP checks at {@code address}. */
  public Identity withHttp(HostPort address) {
    return new Identity(id, masterName, dc, announce, redis, address);
  }

  /** Whether a Sentinel or replica naming {@code address} means this instance, as written. */
  public boolean is(HostPort address) {
    return is(address, Endpoints.LITERAL);
  }

  /**
   * Whether a Sentinel or replica naming {@code address} means this instance: the announced address
   * or the one the agent connects to, as {@code endpoints} compare them.
   */
  public boolean is(HostPort address, Endpoints endpoints) {
    return address != null && (endpoints.same(announce, address) || endpoints.same(redis, address));
  }
}
