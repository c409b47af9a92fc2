package dev.switchyard.strategies.features;

import java.util.List;

/** Several featurizers side by side. */
public final class ConcatFeaturizer implements Featurizer {
  private final List<Featurizer> parts;
  private final int dimension;

  public ConcatFeaturizer(List<Featurizer> parts) {
    this.parts = List.copyOf(parts);
    this.dimension = parts.stream().mapToInt(Featurizer::dimension).sum();
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public double[] features(String text) {
    double[] out = new double[dimension];
    int at = 0;
    for (Featurizer f : parts) {
      double[] v = f.features(text);
      System.arraycopy(v, 0, out, at, v.length);
      at += v.length;
    }
    return out;
  }
}
