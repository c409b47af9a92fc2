package dev.switchyard.strategies.difficulty;

import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.ml.QueryEncoder;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * A training split with its fitted {@link QueryEncoder} and encoded {@link TrainingSet}. Encoding is a pure
 * function of the split and the hash dimension, and every router of the family needs it, so encodings are shared
 * per dataset instance (weakly held: they go when the dataset does). This keeps fitting the whole family on the
 * same split from tokenising it fifteen times.
 */
record EncodedTraining(QueryEncoder encoder, TrainingSet set) {
  private static final Map<RecordedDataset, Map<Integer, EncodedTraining>> SHARED = new WeakHashMap<>();

  static EncodedTraining of(RecordedDataset train, int hashDimension) {
    synchronized (SHARED) {
      Map<Integer, EncodedTraining> byDimension = SHARED.computeIfAbsent(train, k -> new java.util.HashMap<>());
      EncodedTraining cached = byDimension.get(hashDimension);
      if (cached != null) {
        return cached;
      }
    }
    QueryEncoder encoder = QueryEncoder.fit(train, hashDimension);
    EncodedTraining fresh = new EncodedTraining(encoder, TrainingSet.of(train, encoder));
    synchronized (SHARED) {
      SHARED.computeIfAbsent(train, k -> new java.util.HashMap<>()).putIfAbsent(hashDimension, fresh);
      return SHARED.get(train).get(hashDimension);
    }
  }
}
