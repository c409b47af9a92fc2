package dev.switchyard.strategies.ml;

/** Shape checks shared by the learners, so every bad input is named the same way. */
final class Checks {
  private Checks() {}

  /** Returns the row count after checking that x is non-empty, rectangular and has {@code expected} rows. */
  static int rows(double[][] x, int expected, String other) {
    if (x.length == 0) {
      throw new IllegalArgumentException("no training rows");
    }
    if (x.length != expected) {
      throw new IllegalArgumentException("x has " + x.length + " rows but " + other + " has " + expected);
    }
    int d = x[0].length;
    if (d == 0) {
      throw new IllegalArgumentException("rows have no features");
    }
    for (int i = 1; i < x.length; i++) {
      if (x[i].length != d) {
        throw new IllegalArgumentException("row " + i + " has " + x[i].length + " features, row 0 has " + d);
      }
    }
    return x.length;
  }
}
