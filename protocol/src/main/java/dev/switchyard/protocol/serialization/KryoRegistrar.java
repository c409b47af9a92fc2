package dev.switchyard.protocol.serialization;

import com.esotericsoftware.kryo.Kryo;

/**
 * Registers classes with fixed Kryo ids. The ids are the wire format: never renumber a class, only append.
 * Every node must run the same registrars in the same order ({@code switchyard.kryo.registrars}).
 * Ranges: protocol 100-199, actors 200-399, simulator 400-499, ops 500-599.
 */
public interface KryoRegistrar {
  void register(Kryo kryo);
}
