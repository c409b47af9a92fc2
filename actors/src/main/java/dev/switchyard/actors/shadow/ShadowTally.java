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
 * configured signal), the acting policy's mean reward where the shadow agreed and where it disagreed: what the
 * shadow would change, and on which rewards. Each query counts once: the first episode of a query counts its
 * decisions, the first one with a score its reward. Not thread-safe: owned by the {@link ShadowRegistry}.
 */
public final class ShadowTally {
  /** What the score endpoint shows; the means are null where no query got a reward. */
  public record Score(String fingerprint, long queries, long decisions, long agreedDecisions, long agreedQueries,
      long rewardedAgreed, Double meanRewardAgreed, long rewardedDisagreed, Double meanRewardDisagreed)
      implements CrossNode {}

  private static final int AGREED = 1;
  private static final int REWARDED = 2;

  private final String prefix;
  private final String fingerprint;
  private final int maxQueries;
  /** Per query id seen, its flags; the oldest are forgotten beyond {@code maxQueries}. */
  private final Map<String, Integer> seen;
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
      protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
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
    Integer flags = seen.get(episode.queryId());
    if (flags == null) {
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
      flags = all ? AGREED : 0;
    }
    if (episode.score() != null && (flags & REWARDED) == 0) {
      flags |= REWARDED;
      if ((flags & AGREED) != 0) {
        rewardedAgreed++;
        rewardSumAgreed += episode.score();
      } else {
        rewardedDisagreed++;
        rewardSumDisagreed += episode.score();
      }
    }
    seen.put(episode.queryId(), flags);
  }

  Score score() {
    return new Score(fingerprint, queries, decisions, agreedDecisions, agreedQueries, rewardedAgreed,
        rewardedAgreed == 0 ? null : rewardSumAgreed / rewardedAgreed, rewardedDisagreed,
        rewardedDisagreed == 0 ? null : rewardSumDisagreed / rewardedDisagreed);
  }
}
