package dev.switchyard.strategies.ml;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * Linear least squares with an L2 penalty, solved in closed form: {@code w = (X^T X + l2 I)^-1 X^T y}. The caller
 * supplies a constant feature if an intercept is wanted (it is penalised like the others; keep l2 small).
 */
public final class RidgeRegression {
  private final double[] weights;

  public RidgeRegression(double[] weights) {
    this.weights = weights.clone();
  }

  public static RidgeRegression fit(double[][] x, double[] y, double l2) {
    int n = Checks.rows(x, y.length, "y");
    if (!(l2 > 0)) {
      throw new IllegalArgumentException("l2 must be > 0, got " + l2);
    }
    int d = x[0].length;
    DMatrixRMaj design = new DMatrixRMaj(x);
    DMatrixRMaj target = new DMatrixRMaj(n, 1, true, y);
    DMatrixRMaj gram = new DMatrixRMaj(d, d);
    CommonOps_DDRM.multTransA(design, design, gram);
    for (int j = 0; j < d; j++) {
      gram.add(j, j, l2);
    }
    DMatrixRMaj rhs = new DMatrixRMaj(d, 1);
    CommonOps_DDRM.multTransA(design, target, rhs);
    LinearSolverDense<DMatrixRMaj> solver = LinearSolverFactory_DDRM.symmPosDef(d);
    if (!solver.setA(gram)) {
      throw new IllegalStateException("ridge system is not positive definite (l2=" + l2 + ")");
    }
    DMatrixRMaj w = new DMatrixRMaj(d, 1);
    solver.solve(rhs, w);
    return new RidgeRegression(w.data);
  }

  public double predict(double[] x) {
    return LogisticRegression.dot(weights, x);
  }

  public double[] weights() {
    return weights.clone();
  }
}
