package dev.switchyard.actors.fleet;

import dev.switchyard.strategies.LearnerCatalog;
import dev.switchyard.strategies.StrategyCatalog;
import dev.switchyard.strategies.artifact.PolicyArtifact;
import dev.switchyard.strategies.learn.OnlineLearner;
import dev.switchyard.strategies.plan.Planner;
import dev.switchyard.strategies.plan.RenamedPlanner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Whether a policy artifact can serve a pipeline, and what it serves: the one check that both {@code config check}
 * (a pipeline's {@code policy}) and the admin API (an artifact installed as a shadow while serving) run, and the
 * planners and learners built from an artifact for a pipeline whose models are recorded under other ids.
 */
public final class PolicyArtifacts {
  private PolicyArtifacts() {}

  /** A reason the artifact cannot serve the pipeline; {@code field}: the pipeline key it is about. */
  public record Problem(String field, String message) {}

  /**
   * Every reason {@code artifact} (format version already checked by {@link PolicyArtifact#read} or
   * {@link PolicyArtifact#parse}) cannot serve a pipeline of {@code strategy} over {@code models}.
   *
   * @param recordedIds each model's id in recorded data (fleet id to recorded id; a missing one is the same id)
   */
  public static List<Problem> check(PolicyArtifact artifact, String source, String strategy, List<String> models,
      Map<String, String> recordedIds) {
    List<Problem> problems = new ArrayList<>();
    if (!StrategyCatalog.all().containsKey(artifact.strategy()) && !LearnerCatalog.all().containsKey(
        artifact.strategy())) {
      problems.add(new Problem("policy", source + " holds strategy '" + artifact.strategy() + "', which this build"
          + " does not know"));
      return problems;
    }
    if (artifact.isLearner() != LearnerCatalog.all().containsKey(artifact.strategy())) {
      problems.add(new Problem("policy", source + " holds " + (artifact.isLearner() ? "a learner's state" : "a"
          + " fitted state") + " for strategy " + artifact.strategy() + ", which is " + (artifact.isLearner()
          ? "an offline strategy" : "an online learner")));
      return problems;
    }
    if (strategy != null && !strategy.equals(artifact.strategy())) {
      problems.add(new Problem("strategy", "is " + strategy + ", but " + source + " was trained for strategy "
          + artifact.strategy()));
    }
    TreeSet<String> recorded = new TreeSet<>();
    models.forEach(m -> recorded.add(recordedIds.getOrDefault(m, m)));
    if (!recorded.equals(new TreeSet<>(artifact.models()))) {
      problems.add(new Problem("models", source + " was trained for models " + new TreeSet<>(artifact.models())
          + " of " + artifact.data().file() + "; the pipeline's models are recorded as " + recorded
          + " (set each model's recorded-as)"));
    }
    if (problems.isEmpty()) {
      try {
        planner(artifact, models, recordedIds);
      } catch (IllegalArgumentException e) {
        problems.add(new Problem("policy", source + ": " + e.getMessage()));
      } catch (RuntimeException e) {
        problems.add(new Problem("policy", source + ": its state cannot be read by this build ("
            + e.getClass().getSimpleName() + "): run `switchyard train` again"));
      }
    }
    return problems;
  }

  /** The pipeline's models in the order of the artifact's models (each the one recorded as it). */
  public static List<String> servedModels(PolicyArtifact artifact, List<String> models,
      Map<String, String> recordedIds) {
    List<String> served = new ArrayList<>();
    for (String recorded : artifact.models()) {
      served.add(models.stream().filter(m -> recordedIds.getOrDefault(m, m).equals(recorded)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("no model of the pipeline is recorded as " + recorded)));
    }
    return served;
  }

  /**
   * What the artifact decides with, as a planner over the pipeline's models: an offline strategy's fitted planner
   * at the artifact's cost weight, or a learner restored to the artifact's state (a fresh copy; it does not learn).
   */
  public static Planner planner(PolicyArtifact artifact, List<String> models, Map<String, String> recordedIds) {
    if (!artifact.isLearner()) {
      return new RenamedPlanner(artifact.restore().planner(artifact.costWeight()), recordedIds);
    }
    List<String> served = servedModels(artifact, models, recordedIds);
    OnlineLearner learner = artifact.learner(served, artifact.costWeight(), Map.of(), artifact.data().splitSeed())
        .get();
    artifact.snapshot(learner, served, 0);
    return learner.planner();
  }
}
