package dev.switchyard.strategies.features;

/**
 * Turns query text into a fixed-length vector. Everything here works without a pretrained model; a real
 * sentence encoder is dropped in by implementing this interface (see {@link Embedder}).
 */
public interface Featurizer {
  int dimension();

  double[] features(String text);
}
