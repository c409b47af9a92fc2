package dev.switchyard.strategies.clustering;

import static dev.switchyard.strategies.cascade.Recorded.o;

import dev.switchyard.strategies.cascade.Recorded;

/** Two well separated kinds of query: arithmetic and trivia, 20 of each. */
final class ClusterData {
  private ClusterData() {}

  static String math(int i) {
    return "Compute " + (i + 12) + " * " + (i + 3) + " + 7 = ? Give the number.";
  }

  static String trivia(int i) {
    return "Which famous writer wrote the novel about the whale hunting captain, volume " + words(i) + "?";
  }

  private static String words(int i) {
    String[] w = {"alpha", "beta", "gamma", "delta", "epsilon"};
    return w[i % w.length] + " edition";
  }

  /** Models in order; per model, score on math and on trivia and a cost. */
  static Recorded data(String[] models, double[][] mathTriviaCost) {
    Recorded r = Recorded.models(models);
    for (int i = 0; i < 20; i++) {
      r.query("m" + i, "math", "train", math(i), outcomes(mathTriviaCost, 0));
      r.query("t" + i, "trivia", "train", trivia(i), outcomes(mathTriviaCost, 1));
    }
    return r;
  }

  private static dev.switchyard.strategies.data.RecordedOutcome[] outcomes(double[][] spec, int column) {
    var out = new dev.switchyard.strategies.data.RecordedOutcome[spec.length];
    for (int m = 0; m < spec.length; m++) {
      out[m] = o(spec[m][column], spec[m][2], -0.1, "x");
    }
    return out;
  }
}
