package dev.switchyard.strategies.bandit;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * One arm of a linear contextual bandit (Li et al., "A Contextual-Bandit Approach to Personalized News Article
 * Recommendation", WWW 2010): ridge statistics {@code A = ridge * I + sum w x x^T}, {@code b = sum w r x},
 * estimate {@code theta = A^-1 b}, confidence width {@code sqrt(x^T A^-1 x)}. The inverse is recomputed by
 * EJML after each update (d is small), so decisions read a cached inverse.
 *
 * <p>A decision's sums run over the context's non-zero features only (a query's context has a third of its
 * features zero: 15 of 16 task buckets, empty n-gram buckets), in the dense loops' order. That gives the dense
 * loops' result bit for bit: a skipped term is {@code a * 0.0}, a zero, and adding a zero to a sum that started at
 * {@code +0.0} changes nothing (such a sum is never {@code -0.0}). The one exception, {@code 0 * infinity = NaN},
 * cannot occur while the inverse and {@code theta} are finite, which {@link #refresh} checks; if they are not,
 * decisions take the dense loops.
 */
final class LinearArm {
  private final int d;
  private final DMatrixRMaj a;
  private final DMatrixRMaj b;
  private final DMatrixRMaj aInv;
  private final DMatrixRMaj theta;
  private double weight;
  /** {@code A^-1} and {@code theta} have only finite entries: the sparse sums equal the dense ones. */
  private boolean finite;

  LinearArm(int d, double ridge) {
    if (d < 1 || !(ridge > 0)) {
      throw new IllegalArgumentException("a linear arm needs d >= 1 and ridge > 0, got d=" + d + " ridge=" + ridge);
    }
    this.d = d;
    this.a = CommonOps_DDRM.identity(d);
    CommonOps_DDRM.scale(ridge, a);
    this.b = new DMatrixRMaj(d, 1);
    this.aInv = new DMatrixRMaj(d, d);
    this.theta = new DMatrixRMaj(d, 1);
    refresh();
  }

  /** Adds one (possibly weighted) observation of reward {@code r} in context {@code x}. */
  void update(double[] x, double r, double w) {
    check(x);
    for (int i = 0; i < d; i++) {
      b.add(i, 0, w * r * x[i]);
      for (int j = 0; j < d; j++) {
        a.add(i, j, w * x[i] * x[j]);
      }
    }
    weight += w;
    refresh();
  }

  double mean(double[] x) {
    return mean(Context.of(x));
  }

  double mean(Context x) {
    check(x.values());
    if (!finite) {
      return denseMean(x.values());
    }
    double[] t = theta.getData();
    double[] v = x.values();
    double s = 0;
    for (int k = 0; k < x.nonZeros(); k++) {
      int i = x.nonZero()[k];
      s += t[i] * v[i];
    }
    return s;
  }

  /** {@code sqrt(x^T A^-1 x)}: the confidence width of the estimate at {@code x}. */
  double width(double[] x) {
    return width(Context.of(x));
  }

  double width(Context x) {
    check(x.values());
    if (!finite) {
      return denseWidth(x.values());
    }
    double[] inv = aInv.getData();
    double[] v = x.values();
    int[] nz = x.nonZero();
    int n = x.nonZeros();
    double s = 0;
    for (int k = 0; k < n; k++) {
      int i = nz[k];
      int rowStart = i * d;
      double row = 0;
      for (int l = 0; l < n; l++) {
        int j = nz[l];
        row += inv[rowStart + j] * v[j];
      }
      s += v[i] * row;
    }
    return Math.sqrt(Math.max(0, s));
  }

  double ucb(double[] x, double alpha) {
    return ucb(Context.of(x), alpha);
  }

  double ucb(Context x, double alpha) {
    return mean(x) + alpha * width(x);
  }

  private double denseMean(double[] x) {
    double s = 0;
    for (int i = 0; i < d; i++) {
      s += theta.get(i, 0) * x[i];
    }
    return s;
  }

  private double denseWidth(double[] x) {
    double s = 0;
    for (int i = 0; i < d; i++) {
      double row = 0;
      for (int j = 0; j < d; j++) {
        row += aInv.get(i, j) * x[j];
      }
      s += x[i] * row;
    }
    return Math.sqrt(Math.max(0, s));
  }

  /** A context vector with the indices of its non-zero entries, ascending; built once per decision. */
  record Context(double[] values, int[] nonZero, int nonZeros) {
    static Context of(double[] x) {
      int[] nz = new int[x.length];
      int n = 0;
      for (int i = 0; i < x.length; i++) {
        if (x[i] != 0) {
          nz[n++] = i;
        }
      }
      return new Context(x, nz, n);
    }
  }

  /** Total observation weight so far (pseudo-observations of a prior included). */
  double weight() {
    return weight;
  }

  double[] theta() {
    return theta.getData().clone();
  }

  double[] aRowMajor() {
    return a.getData().clone();
  }

  double[] bVector() {
    return b.getData().clone();
  }

  void load(double[] aData, double[] bData, double w) {
    if (aData.length != d * d || bData.length != d) {
      throw new IllegalArgumentException("snapshot arm has A of " + aData.length + " and b of " + bData.length
          + " values, expected " + d * d + " and " + d);
    }
    System.arraycopy(aData, 0, a.getData(), 0, aData.length);
    System.arraycopy(bData, 0, b.getData(), 0, bData.length);
    weight = w;
    refresh();
  }

  private void refresh() {
    if (!CommonOps_DDRM.invert(a, aInv)) {
      throw new IllegalStateException("LinUCB design matrix became singular; ridge must be > 0");
    }
    CommonOps_DDRM.mult(aInv, b, theta);
    finite = allFinite(aInv.getData()) && allFinite(theta.getData());
  }

  private static boolean allFinite(double[] values) {
    for (double v : values) {
      if (!Double.isFinite(v)) {
        return false;
      }
    }
    return true;
  }

  private void check(double[] x) {
    if (x.length != d) {
      throw new IllegalArgumentException("context has " + x.length + " features, the arm expects " + d);
    }
  }
}
