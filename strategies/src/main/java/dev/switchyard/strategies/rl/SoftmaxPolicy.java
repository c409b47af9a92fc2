package dev.switchyard.strategies.rl;

import java.util.Random;

/**
 * A linear softmax policy over a variable set of actions, each described by a feature vector:
 * {@code pi(a) = exp(theta . f_a / tau) / sum_b exp(theta . f_b / tau)}. The score-function gradient is
 * {@code grad log pi(a) = (f_a - sum_b pi(b) f_b) / tau}, which policy-gradient trainers (REINFORCE with a
 * baseline, GRPO's group-relative advantages) scale by an advantage. Because actions are described by
 * features (e.g. a model card's price and prior quality) rather than by index, an action that did not exist
 * at training time is scored without retraining. Not thread-safe.
 */
public final class SoftmaxPolicy {
  private final double[] theta;
  private final double temperature;

  public SoftmaxPolicy(int dimension, double temperature) {
    if (dimension < 1 || !(temperature > 0)) {
      throw new IllegalArgumentException("need dimension >= 1 and temperature > 0, got " + dimension + ", "
          + temperature);
    }
    this.theta = new double[dimension];
    this.temperature = temperature;
  }

  public int dimension() {
    return theta.length;
  }

  public double[] parameters() {
    return theta.clone();
  }

  public void load(double[] values) {
    if (values.length != theta.length) {
      throw new IllegalArgumentException("policy has " + theta.length + " parameters, got " + values.length);
    }
    System.arraycopy(values, 0, theta, 0, theta.length);
  }

  public double score(double[] f) {
    check(f);
    double s = 0;
    for (int i = 0; i < f.length; i++) {
      s += theta[i] * f[i];
    }
    return s / temperature;
  }

  public double[] probabilities(double[][] actions) {
    if (actions.length == 0) {
      throw new IllegalArgumentException("a policy needs at least one action");
    }
    double[] p = new double[actions.length];
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < p.length; i++) {
      p[i] = score(actions[i]);
      max = Math.max(max, p[i]);
    }
    double z = 0;
    for (int i = 0; i < p.length; i++) {
      p[i] = Math.exp(p[i] - max);
      z += p[i];
    }
    for (int i = 0; i < p.length; i++) {
      p[i] /= z;
    }
    return p;
  }

  /** The most probable action; ties go to the first. */
  public int greedy(double[][] actions) {
    int best = 0;
    double bestScore = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < actions.length; i++) {
      double s = score(actions[i]);
      if (s > bestScore) {
        best = i;
        bestScore = s;
      }
    }
    return best;
  }

  public int sample(double[][] actions, Random rnd) {
    double[] p = probabilities(actions);
    double u = rnd.nextDouble();
    double acc = 0;
    for (int i = 0; i < p.length; i++) {
      acc += p[i];
      if (u < acc) {
        return i;
      }
    }
    return p.length - 1;
  }

  /** Adds {@code scale * grad log pi(chosen)} to {@code into}. */
  public void accumulateGradient(double[][] actions, int chosen, double scale, double[] into) {
    double[] p = probabilities(actions);
    for (int j = 0; j < theta.length; j++) {
      double expected = 0;
      for (int i = 0; i < actions.length; i++) {
        expected += p[i] * actions[i][j];
      }
      into[j] += scale * (actions[chosen][j] - expected) / temperature;
    }
  }

  /** {@code theta += rate * gradient}, with the step's norm clipped to {@code maxNorm} for stability. */
  public void step(double[] gradient, double rate, double maxNorm) {
    double norm = 0;
    for (double g : gradient) {
      norm += g * g;
    }
    norm = Math.sqrt(norm) * rate;
    double shrink = norm > maxNorm ? maxNorm / norm : 1.0;
    for (int j = 0; j < theta.length; j++) {
      theta[j] += rate * shrink * gradient[j];
    }
  }

  private void check(double[] f) {
    if (f.length != theta.length) {
      throw new IllegalArgumentException("action has " + f.length + " features, the policy expects "
          + theta.length);
    }
  }
}
