package dev.switchyard.actors.shadow;

import dev.switchyard.protocol.CrossNode;
import dev.switchyard.protocol.Episode;
import dev.switchyard.protocol.EpisodeStep;
import dev.switchyard.protocol.Response;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The score of one installed shadow, from the episodes of its pipeline. A shadow decision
 * ({@code shadow:<label>:route|answer|abstain} in round {@code r}, naming model {@code m}) agrees with the acting
 * policy when the acting policy called {@code m} in that round (or, past its last call, answered with {@code m}); a
 * query agrees when all its shadow decisions do. Over the queries that got a reward (user feedback, or a learner's
 * configured signal; a replayed answer's recorded score counts too), the acting policy's mean reward where the
 * shadow agreed and where it disagreed: what the shadow would change, and on which rewards. Each query counts
 * once: its first episode counts its decisions, and its latest score is its reward (a user feedback replaces the
 * recorded score or an earlier feedback). Not thread-safe: owned by the {@link ShadowRegistry}.
 */
public final class ShadowTally {
  /** What the score endpoint shows; the means are null where no query got a reward. */
  public record Score(String fingerprint, long queries, long decisions, long agreedDecisions, long agreedQueries,
      long rewardedAgreed, Double meanRewardAgreed, long rewardedDisagreed, Double meanRewardDisagreed)
      implements CrossNode {}

  /** A query seen: whether the shadow agreed on it, and the reward counted for it (null: none yet). */
  private record Seen(boolean agreed, Double reward) {}

  private final String prefix;
  private final String fingerprint;
  private final int maxQueries;
  /** Per query id seen; the oldest are forgotten beyond {@code maxQueries}. */
  private final Map<String, Seen> seen;
  private long queries;
  private long decisions;
  private long agreedDecisions;
  private long agreedQueries;
  private long rewardedAgreed;
  private double rewardSumAgreed;
  private long rewardedDisagreed;
  private double rewardSumDisagreed;

  ShadowTally(String fingerprint, int maxQueries) {
    this.fingerprint = fingerprint;
    this.prefix = prefix(fingerprint);
    this.maxQueries = maxQueries;
    this.seen = new LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Seen> eldest) {
        return size() > ShadowTally.this.maxQueries;
      }
    };
  }

  /** The decision prefix of a shadow's steps. */
  static String prefix(String label) {
    return "shadow:" + label + ":";
  }

  void observe(Episode episode) {
    List<EpisodeStep> mine = episode.steps().stream()
        .filter(s -> s.decision() != null && s.decision().startsWith(prefix)).toList();
    if (mine.isEmpty()) {
      return;
    }
    Seen before = seen.get(episode.queryId());
    if (before == null) {
      List<Response> calls = episode.calls();
      boolean all = true;
      for (EpisodeStep s : mine) {
        String acting = s.round() < calls.size() ? calls.get(s.round()).modelId() : episode.answerModel();
        boolean agreed = s.modelId() != null && s.modelId().equals(acting);
        agreedDecisions += agreed ? 1 : 0;
        all &= agreed;
      }
      queries++;
      decisions += mine.size();
      agreedQueries += all ? 1 : 0;
      before = new Seen(all, null);
    }
    Double reward = episode.score();
    if (reward != null) {
      reward(before.agreed(), before.reward(), -1);
      reward(before.agreed(), reward, 1);
      before = new Seen(before.agreed(), reward);
    }
    seen.put(episode.queryId(), before);
  }

  /** Adds ({@code sign} 1) or takes back (-1) a query's reward in its bucket; a null reward is none. */
  private void reward(boolean agreed, Double reward, int sign) {
    if (reward == null) {
      return;
    }
    if (agreed) {
      rewardedAgreed += sign;
      rewardSumAgreed += sign * reward;
    } else {
      rewardedDisagreed += sign;
      rewardSumDisagreed += sign * reward;
    }
  }

  Score score() {
    return new Score(fingerprint, queries, decisions, agreedDecisions, agreedQueries, rewardedAgreed,
        rewardedAgreed == 0 ? null : rewardSumAgreed / rewardedAgreed, rewardedDisagreed,
        rewardedDisagreed == 0 ? null : rewardSumDisagreed / rewardedDisagreed);
  }
}
