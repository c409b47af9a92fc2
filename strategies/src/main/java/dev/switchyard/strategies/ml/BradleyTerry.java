package dev.switchyard.strategies.ml;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * Bradley-Terry strengths from a (weighted) win matrix: {@code P(i beats j) = sigmoid(beta_i - beta_j)}. Fitted
 * by Newton-Raphson on the log-likelihood {@code sum_ij W_ij log sigmoid(beta_i - beta_j)} plus a Gaussian prior
 * {@code -(prior/2) |beta - mu|^2} that keeps strengths finite when a player never loses and lets a local fit
 * shrink toward a global one ({@code mu}). A tie counts as half a win for each side.
 */
public final class BradleyTerry {
  private BradleyTerry() {}

  /**
   * @param wins {@code wins[i][j]} = weighted count of i beating j (ties as 0.5 to each)
   * @param prior precision of the Gaussian prior, > 0
   * @param mean the prior mean per player (e.g. global strengths), or null for zeros
   * @return strengths {@code beta}, centred to mean zero when {@code mean} is null
   */
  public static double[] fit(double[][] wins, double prior, double[] mean) {
    int m = wins.length;
    if (m == 0) {
      throw new IllegalArgumentException("no players");
    }
    for (double[] row : wins) {
      if (row.length != m) {
        throw new IllegalArgumentException("win matrix must be square, got a row of " + row.length + " for " + m);
      }
    }
    if (!(prior > 0)) {
      throw new IllegalArgumentException("prior precision must be > 0, got " + prior);
    }
    double[] mu = mean == null ? new double[m] : mean.clone();
    if (mu.length != m) {
      throw new IllegalArgumentException("prior mean has " + mu.length + " players, win matrix " + m);
    }
    double[] beta = mu.clone();
    DMatrixRMaj h = new DMatrixRMaj(m, m);
    DMatrixRMaj g = new DMatrixRMaj(m, 1);
    DMatrixRMaj step = new DMatrixRMaj(m, 1);
    LinearSolverDense<DMatrixRMaj> solver = LinearSolverFactory_DDRM.symmPosDef(m);
    for (int iter = 0; iter < 50; iter++) {
      h.zero();
      for (int i = 0; i < m; i++) {
        g.data[i] = -prior * (beta[i] - mu[i]);
        h.add(i, i, prior);
      }
      for (int i = 0; i < m; i++) {
        for (int j = i + 1; j < m; j++) {
          double games = wins[i][j] + wins[j][i];
          if (games <= 0) {
            continue;
          }
          double p = LogisticRegression.sigmoid(beta[i] - beta[j]);
          double grad = wins[i][j] - games * p;
          g.data[i] += grad;
          g.data[j] -= grad;
          double curv = games * p * (1 - p);
          h.add(i, i, curv);
          h.add(j, j, curv);
          h.add(i, j, -curv);
          h.add(j, i, -curv);
        }
      }
      if (!solver.setA(h)) {
        break;
      }
      solver.solve(g, step);
      double change = 0;
      for (int i = 0; i < m; i++) {
        beta[i] += step.data[i];
        change = Math.max(change, Math.abs(step.data[i]));
      }
      if (change < 1e-9) {
        break;
      }
    }
    if (mean == null) {
      double avg = java.util.Arrays.stream(beta).average().orElse(0);
      for (int i = 0; i < m; i++) {
        beta[i] -= avg;
      }
    }
    return beta;
  }

  /** Strengths on the Elo scale: {@code 400 / ln 10 * beta + 1000}. */
  public static double[] toElo(double[] beta) {
    double[] elo = new double[beta.length];
    for (int i = 0; i < beta.length; i++) {
      elo[i] = 400.0 / Math.log(10) * beta[i] + 1000.0;
    }
    return elo;
  }
}
