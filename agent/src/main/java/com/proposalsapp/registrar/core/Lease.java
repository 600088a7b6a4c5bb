package com.proposalsapp.registrar.core;

/**
 * The lease a registry writes under.
 *
 * @param id the registry's lease id
 * @param fresh true when it was granted by this call (a previous lease, if any, is gone)
 */
public record Lease(long id, boolean fresh) {}
