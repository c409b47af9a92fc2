package dev.switchyard.protocol;

/**
 * Marker for every message that may cross a node boundary. Bound to the Kryo serializer
 * ({@link dev.switchyard.protocol.serialization.KryoSerializer}); a class that implements it must also be
 * registered with a fixed id by a {@link dev.switchyard.protocol.serialization.KryoRegistrar}, otherwise
 * sending it fails loudly instead of silently falling back to Java serialization (which is off).
 */
public interface CrossNode {}
