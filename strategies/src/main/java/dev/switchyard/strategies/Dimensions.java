package dev.switchyard.strategies;

import java.util.List;
import java.util.Objects;

/**
 * The survey's three dimensions of a routing method (Moslem &amp; Kelleher, arXiv 2603.04445, §3): when it
 * decides, what signals it uses, how it computes the decision. The engine prints this matrix for a pipeline.
 */
public record Dimensions(When when, List<Signal> signals, How how) {
  public Dimensions {
    Objects.requireNonNull(when, "when");
    Objects.requireNonNull(how, "how");
    signals = List.copyOf(signals);
  }

  public static Dimensions of(When when, How how, Signal... signals) {
    return new Dimensions(when, List.of(signals), how);
  }

  public enum When { PRE_GENERATION, POST_GENERATION, MULTI_STAGE, ONLINE }

  public enum Signal { QUERY, MODEL_METADATA, RESPONSE, FEEDBACK }

  public enum How { HEURISTIC, SUPERVISED, UNSUPERVISED, BANDIT, RL_POLICY }
}
