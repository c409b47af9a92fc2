package dev.switchyard.strategies.planner;

import dev.switchyard.strategies.Strategy;
import dev.switchyard.strategies.difficulty.ScopeRouter;
import dev.switchyard.strategies.rl.RlEscalationPolicy;
import java.util.List;
import java.util.function.Supplier;

/**
 * The planners and learned policies that also have an offline {@link Strategy} form, so the evaluator covers
 * them next to the routers and cascades: SCOPE (estimate, then decide), Router-R1 (multi-round route/answer
 * policy trained by policy gradient on train) and the RL escalation policy (tabular Q-learning of when to
 * escalate). Their online forms are served as learned pipelines by the simulator.
 */
public final class PlannerFamily {
  private PlannerFamily() {}

  public static List<Supplier<Strategy>> members() {
    return List.of(ScopeRouter::new, RouterR1::new, RlEscalationPolicy::new);
  }
}
