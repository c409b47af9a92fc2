package dev.switchyard.protocol;

/**
 * Marker for journal events and snapshots. Bound to Pekko's Jackson serializer because the journal outlives
 * any one build: field names, not registration ids, are the stored format, so events can evolve (add a field
 * with a default) and old rows still replay. Golden fixtures under {@code src/test/resources/events} guard it.
 */
public interface Journaled {}
