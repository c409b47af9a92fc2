package dev.switchyard.simulator.evaluation;

import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.strategies.LearnerCatalog;
import dev.switchyard.strategies.artifact.PolicyArtifact;
import dev.switchyard.strategies.bandit.RewardModel;
import dev.switchyard.strategies.data.ModelCatalog;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.learn.OnlineLearner;
import dev.switchyard.strategies.replay.OfflineReplay;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code switchyard train} for an online learner. The learner is built as a pipeline's {@code train-data} builds
 * it ({@link LearnerCatalog#reward}: cost and energy scaled on the train split; {@link LearnerCatalog.Entry#build})
 * and then learns the train split, in seeded order, one replayed query at a time as it would online
 * ({@link OfflineReplay}: it routes, the recorded model answers, it learns the episode). The artifact holds its
 * parameters and the reward scales; its frontier point is its mean quality and cost on the test split, replayed by
 * a copy of the trained learner that keeps learning as it goes, as a pipeline served from the artifact does.
 *
 * <p>The artifact must be servable without the recording: a learner that fits more than its online parameters
 * on recorded outcomes when it is built (threshold-bandit, router-r1-online, pilot's budget pacing) is refused,
 * since the artifact would not hold that part; serve those with {@code train-data}.
 */
final class LearnerTraining {
  private LearnerTraining() {}

  static PolicyArtifact train(LearnerCatalog.Entry entry, Map<String, Object> params, double costWeight,
      RecordedDataset dataset, PolicyArtifact.DataFingerprint fingerprint, long seed) {
    RecordedDataset train = dataset.split("train");
    List<String> models = dataset.models();
    List<ModelCard> cards = models.stream().map(m -> ModelCatalog.card(train, m)).toList();
    RewardModel reward = LearnerCatalog.reward(costWeight, cards, train, 0, 0);
    Supplier<OnlineLearner> learners;
    try {
      // as serving from the artifact builds it: without the recording
      learners = entry.build(params, new LearnerCatalog.Context(models, reward, null, seed));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() + "; an artifact holds a learner's online parameters"
          + " only, so this learner is served with train-data instead of an artifact", e);
    }
    OnlineLearner trained = learners.get();
    replay(trained, train.shuffled(seed), cards, entry.name());
    OnlineLearner serving = learners.get();
    serving.restore(trained.snapshot(0, 0));
    double[] onTest = replay(serving, dataset.split("test").queries(), cards, entry.name());
    return PolicyArtifact.learner(entry.name(), costWeight, params, models, fingerprint,
        List.of(new PolicyArtifact.FrontierPoint(costWeight, onTest[0], onTest[1])), trained, reward.costScale(),
        reward.energyScale());
  }

  /** Streams {@code queries} through {@code learner}, learning each; returns its mean score and mean cost. */
  private static double[] replay(OnlineLearner learner, List<RecordedQuery> queries, List<ModelCard> cards,
      String name) {
    double score = 0;
    double cost = 0;
    for (RecordedQuery q : queries) {
      OfflineReplay.Outcome o = OfflineReplay.run(learner.planner(), q, cards, Budget.unlimited(), name, 0);
      learner.learn(o.episode());
      score += o.score();
      cost += o.costUsd();
    }
    int n = Math.max(1, queries.size());
    return new double[] {score / n, cost / n};
  }
}
