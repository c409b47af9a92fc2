package dev.switchyard.strategies.ml;

/** Adam (Kingma &amp; Ba, arXiv 1412.6980) for full-batch gradient ascent with the usual betas 0.9 / 0.999. */
public final class Adam {
  private final double rate;
  private final double[] first;
  private final double[] second;
  private int step;

  public Adam(int size, double rate) {
    this.rate = rate;
    this.first = new double[size];
    this.second = new double[size];
  }

  /** One step in the direction of {@code gradient} (ascent), updating {@code params} in place. */
  public void ascend(double[] params, double[] gradient) {
    step++;
    double c1 = 1 - Math.pow(0.9, step);
    double c2 = 1 - Math.pow(0.999, step);
    for (int j = 0; j < params.length; j++) {
      first[j] = 0.9 * first[j] + 0.1 * gradient[j];
      second[j] = 0.999 * second[j] + 0.001 * gradient[j] * gradient[j];
      params[j] += rate * (first[j] / c1) / (Math.sqrt(second[j] / c2) + 1e-8);
    }
  }
}
