package dev.switchyard.strategies.pipeline;

import dev.switchyard.protocol.Response;
import dev.switchyard.strategies.plan.PlanState;

/**
 * Stage 2: judge a generated answer. Returns the probability, in [0, 1], that the answer is acceptable,
 * from whatever the verifier looks at (a calibrated confidence, agreement with earlier answers, a judge).
 */
@FunctionalInterface
public interface Verifier {
  double confidence(PlanState state, Response response);
}
