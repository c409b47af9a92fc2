package dev.switchyard.strategies.features;

/**
 * Turns query text into a fixed-length vector. Everything here works without a pretrained model; a real
 * sentence encoder would take the place of the hashed n-gram block of {@link dev.switchyard.strategies.ml.QueryEncoder}.
 */
public interface Featurizer {
  int dimension();

  double[] features(String text);
}
