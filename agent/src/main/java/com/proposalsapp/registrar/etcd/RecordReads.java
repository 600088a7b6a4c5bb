package com.proposalsapp.registrar.etcd;

import static com.proposalsapp.registrar.etcd.GuardedWrites.bytes;

import com.proposalsapp.registrar.core.InstanceRecord;
import com.proposalsapp.registrar.core.MasterRecord;
import com.proposalsapp.registrar.core.Published;
import com.proposalsapp.registrar.core.RegistryException;
import com.proposalsapp.registrar.core.RouteView;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.DeleteResponse;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The read side: one record, the records and master key of one master name (the routing tier's
 * view), every record under the prefix with its lease's time left (for {@code status}); and the
 * operator's unguarded delete, which answers with what it removed.
 */
final class RecordReads {

  private final EtcdConnection etcd;
  private final KeyLayout keys;
  private final LeaseKeeper leases;

  RecordReads(EtcdConnection etcd, KeyLayout keys, LeaseKeeper leases) {
    this.etcd = etcd;
    this.keys = keys;
    this.leases = leases;
  }

  /** The record of {@code id} as published, if any. */
  Optional<Published> read(String id) throws RegistryException {
    String key = keys.instance(id);
    List<KeyValue> kvs = etcd.await("read " + key, etcd.kv().get(bytes(key))).getKvs();
    return kvs.isEmpty() ? Optional.empty() : Optional.of(published(kvs.get(0), -1));
  }

  /** The master key and the instance records of this master name; undecodable keys listed apart. */
  RouteView view() throws RegistryException {
    MasterRecord master = null;
    List<InstanceRecord> records = new ArrayList<>();
    List<String> invalid = new ArrayList<>();
    for (KeyValue k : range(keys.group())) {
      String key = k.getKey().toString(StandardCharsets.UTF_8);
      String raw = k.getValue().toString(StandardCharsets.UTF_8);
      try {
        if (key.equals(keys.master())) {
          master = RecordJson.decodeMaster(raw);
        } else if (key.startsWith(keys.instances())) {
          records.add(RecordJson.decode(raw));
        }
      } catch (IllegalArgumentException e) {
        invalid.add(key + " (" + e.getMessage() + ")");
      }
    }
    return new RouteView(master, records, invalid);
  }

  /** The instance records of this master name. */
  List<Published> instances() throws RegistryException {
    List<Published> out = new ArrayList<>();
    for (KeyValue k : range(keys.instances())) {
      out.add(published(k, -1));
    }
    return out;
  }

  /** Every instance record under the prefix, of every master name, with its lease's time left. */
  List<Published> list() throws RegistryException {
    Map<Long, Long> ttl = new HashMap<>();
    List<Published> out = new ArrayList<>();
    for (KeyValue k : range(keys.prefix() + "/")) {
      if (!k.getKey().toString(StandardCharsets.UTF_8).contains("/instances/")) {
        continue;
      }
      long lease = k.getLease();
      long left = lease == 0 ? -1 : ttl.computeIfAbsent(lease, this::ttlOrUnknown);
      out.add(published(k, left));
    }
    return out;
  }

  /** Deletes the record of {@code id} whoever wrote it; what it held, if anything. */
  Optional<Published> forceDelete(String id) throws RegistryException {
    String key = keys.instance(id);
    DeleteResponse r =
        etcd.await(
            "delete " + key,
            etcd.kv().delete(bytes(key), DeleteOption.builder().withPrevKV(true).build()));
    return r.getPrevKvs().isEmpty()
        ? Optional.empty()
        : Optional.of(published(r.getPrevKvs().get(0), -1));
  }

  private List<KeyValue> range(String keyPrefix) throws RegistryException {
    return etcd.await(
            "list " + keyPrefix,
            etcd.kv().get(bytes(keyPrefix), GetOption.builder().isPrefix(true).build()))
        .getKvs();
  }

  private long ttlOrUnknown(long lease) {
    try {
      return leases.ttlOf(lease);
    } catch (RegistryException e) {
      return -1;
    }
  }

  private static Published published(KeyValue k, long ttlLeft) {
    String key = k.getKey().toString(StandardCharsets.UTF_8);
    String raw = k.getValue().toString(StandardCharsets.UTF_8);
    InstanceRecord record;
    try {
      record = RecordJson.decode(raw);
    } catch (IllegalArgumentException e) {
      record = null;
    }
    return new Published(key, record, raw, k.getLease(), ttlLeft);
  }
}
