package dev.switchyard.actors;

import dev.switchyard.actors.pool.FailureKind;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The engine's configuration ({@code switchyard.*} in reference.conf), read once per node. Every timeout and
 * limit the actors use comes from here, so none is a literal in code.
 */
public record EngineSettings(
    Duration answerTimeout,
    Duration deadlineGrace,
    Duration feedbackTimeout,
    Duration promoteTimeout,
    int streamBuffer,
    int maxQueryIdLength,
    int maxRounds,
    Duration queryMaxDeadline,
    Duration callTimeout,
    Duration callAdmissionTimeout,
    Duration queryPassivateAfterIdle,
    Duration queryPassivateFinishedEphemeralAfter,
    RejectionPolicy rejectionPolicy,
    int rejectionMaxRetries,
    Duration rejectionMaxWait,
    InFlightOnResume inFlightOnResume,
    Duration resumeInterval,
    List<Duration> resumeAfterMemberRemoved,
    int registrySnapshotEvery,
    PoolSettings pool,
    boolean manualPromotionByDefault,
    List<String> manualPromotionPipelines,
    int learnerSnapshotEvery,
    int learnerPublishEvery,
    Duration learnerPublishInterval,
    Duration learnerReplicationTimeout,
    boolean learnerLocalLearning,
    Duration learnerLocalGrace,
    int learnerLocalMaxPending,
    Duration feedbackWindow,
    int feedbackWindowMaxEpisodes,
    Duration signalAfter,
    RewardSignalSettings rewardSignal,
    Duration registryAskTimeout,
    Duration registryRetryAfter,
    Duration watchRetryAfter,
    RestartBackoff restartBackoff) {

  /**
   * {@code switchyard.persistence.restart-backoff}: how an event-sourced entity or singleton restarts after a
   * journal failure (it then recovers and continues; it never resumes past an unwritten event).
   */
  public record RestartBackoff(Duration min, Duration max, double randomFactor) {
    public BackoffSupervisorStrategy strategy() {
      return SupervisorStrategy.restartWithBackoff(min, max, randomFactor);
    }
  }

  /**
   * How a learner asks a judge model for the reward of a query no feedback came for ({@code reward = judge}):
   * the default prompt template ({@code {query}}, {@code {answer}} put in), the score scale the reply is read on,
   * and the judge's output-token cap.
   */
  public record RewardSignalSettings(String judgePrompt, double judgeMinScore, double judgeMaxScore,
      int judgeMaxTokens) {
    public RewardSignalSettings {
      if (!judgePrompt.contains(dev.switchyard.strategies.uncertainty.JudgeScore.ANSWER)) {
        throw new IllegalArgumentException("switchyard.learner.reward-signal.judge-prompt must contain "
            + dev.switchyard.strategies.uncertainty.JudgeScore.ANSWER);
      }
      new dev.switchyard.strategies.uncertainty.JudgeScore(judgeMinScore, judgeMaxScore); // checks the scale
      if (judgeMaxTokens < 0) {
        throw new IllegalArgumentException("switchyard.learner.reward-signal.judge-max-tokens must be >= 0, got "
            + judgeMaxTokens);
      }
    }
  }

  /**
   * What a resumed durable query does with the call that was in flight when its node stopped: {@code RESEND} it
   * with the same attempt id (at least once: a provider that does not honour the Idempotency-Key may bill it
   * twice), or record it as {@code LOST} (a failed attempt) and let the planner choose again.
   */
  public enum InFlightOnResume { RESEND, REPLAN }

  /** What a query does when a pool refuses a call. */
  public enum RejectionPolicy { REROUTE, RETRY }

  /** Admission, breaker and retry settings of a model pool. */
  public record PoolSettings(
      int maxConcurrencyPerWorker,
      int maxQueue,
      Duration maxQueueWait,
      Duration minRetryAfter,
      Duration backendTimeout,
      Duration loadPublishInterval,
      double ewmaAlpha,
      int breakerFailureThreshold,
      Duration breakerWindow,
      Duration breakerCooldown,
      RetryPolicy retry,
      Duration keepAliveInterval,
      Duration firstTokenTimeout) {
    public PoolSettings {
      positive("switchyard.pool.max-concurrency-per-worker", maxConcurrencyPerWorker);
      if (maxQueue < 0) {
        throw new IllegalArgumentException("switchyard.pool.max-queue must be >= 0, got " + maxQueue);
      }
      positive("switchyard.pool.max-queue-wait (ms)", maxQueueWait.toMillis());
      positive("switchyard.pool.circuit-breaker.failure-threshold", breakerFailureThreshold);
      if (ewmaAlpha <= 0 || ewmaAlpha > 1) {
        throw new IllegalArgumentException("switchyard.pool.ewma-alpha must be in (0, 1], got " + ewmaAlpha);
      }
    }

    /** These settings with a model's own endpoint concurrency, queue bound, call and first-token timeouts. */
    public PoolSettings withLimits(int concurrency, int queue, Duration timeout, Duration firstToken) {
      return new PoolSettings(concurrency, queue, maxQueueWait, minRetryAfter, timeout, loadPublishInterval,
          ewmaAlpha, breakerFailureThreshold, breakerWindow, breakerCooldown, retry, keepAliveInterval, firstToken);
    }

    /** These settings with another retry policy. */
    public PoolSettings withRetry(RetryPolicy policy) {
      return new PoolSettings(maxConcurrencyPerWorker, maxQueue, maxQueueWait, minRetryAfter, backendTimeout,
          loadPublishInterval, ewmaAlpha, breakerFailureThreshold, breakerWindow, breakerCooldown, policy,
          keepAliveInterval, firstTokenTimeout);
    }

    static PoolSettings from(Config c) {
      return new PoolSettings(
          c.getInt("max-concurrency-per-worker"),
          c.getInt("max-queue"),
          c.getDuration("max-queue-wait"),
          c.getDuration("min-retry-after"),
          c.getDuration("backend-timeout"),
          c.getDuration("load-publish-interval"),
          c.getDouble("ewma-alpha"),
          c.getInt("circuit-breaker.failure-threshold"),
          c.getDuration("circuit-breaker.window"),
          c.getDuration("circuit-breaker.cooldown"),
          RetryPolicy.from(c.getConfig("retry")),
          c.getDuration("keep-alive-interval"),
          c.getDuration("first-token-timeout"));
    }
  }

  /**
   * How a pool tries a failed call again: up to {@code maxRetries} times per failure kind (a
   * {@code BackendException.Kind} name), on another worker of the model first, after
   * {@code min(max-wait, max(retry-after, base-wait * 2^(n-1)))} stretched by up to {@code jitter} (a fraction),
   * so that retries do not come in waves. A retry-after beyond {@code max-wait} is not waited for: the failure goes
   * back to the query with it, which re-routes.
   */
  public record RetryPolicy(Map<String, Integer> maxRetries, Duration baseWait, Duration maxWait, double jitter,
      long seed) {
    public RetryPolicy {
      maxRetries = Map.copyOf(maxRetries);
      for (Map.Entry<String, Integer> e : maxRetries.entrySet()) {
        if (java.util.Arrays.stream(dev.switchyard.actors.backend.BackendException.Kind.values())
            .noneMatch(k -> k.name().equals(e.getKey()))) {
          throw new IllegalArgumentException("switchyard.pool.retry.max-retries." + e.getKey() + ": not a failure"
              + " kind; the kinds: " + java.util.Arrays.toString(
                  dev.switchyard.actors.backend.BackendException.Kind.values()));
        }
        if (e.getKey().equals(dev.switchyard.actors.backend.BackendException.Kind.STREAM_BROKEN.name())) {
          throw new IllegalArgumentException("switchyard.pool.retry.max-retries.STREAM_BROKEN: a stream that broke"
              + " after its first tokens reached the client is never retried; remove the key");
        }
        if (e.getValue() < 0) {
          throw new IllegalArgumentException("switchyard.pool.retry.max-retries." + e.getKey() + " must be >= 0");
        }
      }
      if (!(jitter >= 0) || Double.isInfinite(jitter)) {
        throw new IllegalArgumentException("switchyard.pool.retry.jitter must be >= 0, got " + jitter);
      }
      positive("switchyard.pool.retry.base-wait (ms)", baseWait.toMillis());
    }

    static RetryPolicy from(Config c) {
      Map<String, Integer> max = new java.util.TreeMap<>();
      c.getConfig("max-retries").root().keySet().forEach(k -> max.put(k, c.getInt("max-retries." + k)));
      return new RetryPolicy(max, c.getDuration("base-wait"), c.getDuration("max-wait"), c.getDouble("jitter"),
          c.getLong("seed"));
    }

    /**
     * The wait before retry {@code n} (1 = the first) of a call that failed with {@code kind}, or -1 when it is
     * not to be retried (no retries left for its kind, or a retry-after beyond max-wait).
     *
     * @param retryAfterMillis the backend's retry-after, -1 if none
     * @param uniform a uniform random number in [0, 1) for the jitter
     */
    public long waitMillis(FailureKind kind, int n, long retryAfterMillis, double uniform) {
      if (n > maxRetries.getOrDefault(kind.name(), 0) || retryAfterMillis > maxWait.toMillis()) {
        return -1;
      }
      long backoff = baseWait.toMillis() << Math.min(n - 1, 20);
      long wait = Math.min(maxWait.toMillis(), Math.max(retryAfterMillis, backoff));
      return Math.min(maxWait.toMillis(), Math.round(wait * (1 + jitter * uniform)));
    }
  }

  public EngineSettings {
    positive("switchyard.query.max-rounds", maxRounds);
    for (Duration delay : resumeAfterMemberRemoved) {
      positive("switchyard.query.open-registry.resume-after-member-removed (ms)", delay.toMillis());
    }
    positive("switchyard.query.max-deadline (ms)", queryMaxDeadline.toMillis());
    if (queryPassivateFinishedEphemeralAfter.isNegative()) {
      throw new IllegalArgumentException("switchyard.query.passivate-finished-ephemeral-after must be >= 0, got "
          + queryPassivateFinishedEphemeralAfter);
    }
    positive("switchyard.engine.stream-buffer", streamBuffer);
    positive("switchyard.learner.snapshot-every", learnerSnapshotEvery);
    positive("switchyard.learner.publish-every", learnerPublishEvery);
    positive("switchyard.learner.publish-interval (ms)", learnerPublishInterval.toMillis());
    positive("switchyard.learner.replication-timeout (ms)", learnerReplicationTimeout.toMillis());
    positive("switchyard.learner.local-learning.max-pending", learnerLocalMaxPending);
    manualPromotionPipelines = List.copyOf(manualPromotionPipelines);
  }

  /** Reads {@code switchyard.*} from a full configuration (e.g. {@code system.settings().config()}). */
  public static EngineSettings from(Config root) {
    Config s = root.getConfig("switchyard");
    String policy = s.getString("query.rejection.policy").toUpperCase(Locale.ROOT);
    RejectionPolicy rejection;
    try {
      rejection = RejectionPolicy.valueOf(policy);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("switchyard.query.rejection.policy must be reroute or retry, got "
          + s.getString("query.rejection.policy"), e);
    }
    InFlightOnResume inFlight;
    try {
      inFlight = InFlightOnResume.valueOf(s.getString("query.resume-in-flight").toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("switchyard.query.resume-in-flight must be resend or replan, got "
          + s.getString("query.resume-in-flight"), e);
    }
    String promotion = s.getString("learner.promotion");
    if (!promotion.equals("auto") && !promotion.equals("manual")) {
      throw new IllegalArgumentException("switchyard.learner.promotion must be auto or manual, got " + promotion);
    }
    return new EngineSettings(
        s.getDuration("engine.answer-timeout"),
        s.getDuration("engine.deadline-grace"),
        s.getDuration("engine.feedback-timeout"),
        s.getDuration("engine.promote-timeout"),
        s.getInt("engine.stream-buffer"),
        s.getInt("engine.max-query-id-length"),
        s.getInt("query.max-rounds"),
        s.getDuration("query.max-deadline"),
        s.getDuration("query.call-timeout"),
        s.getDuration("query.admission-timeout"),
        s.getDuration("query.passivate-after-idle"),
        s.getDuration("query.passivate-finished-ephemeral-after"),
        rejection,
        s.getInt("query.rejection.max-retries"),
        s.getDuration("query.rejection.max-wait"),
        inFlight,
        s.getDuration("query.open-registry.resume-interval"),
        List.copyOf(s.getDurationList("query.open-registry.resume-after-member-removed")),
        s.getInt("query.open-registry.snapshot-every"),
        PoolSettings.from(s.getConfig("pool")),
        promotion.equals("manual"),
        s.getStringList("learner.manual-pipelines"),
        s.getInt("learner.snapshot-every"),
        s.getInt("learner.publish-every"),
        s.getDuration("learner.publish-interval"),
        s.getDuration("learner.replication-timeout"),
        s.getBoolean("learner.local-learning.enabled"),
        s.getDuration("learner.local-learning.grace"),
        s.getInt("learner.local-learning.max-pending"),
        s.getDuration("learner.feedback-window.duration"),
        s.getInt("learner.feedback-window.max-episodes"),
        s.getDuration("learner.feedback-window.signal-after"),
        new RewardSignalSettings(s.getString("learner.reward-signal.judge-prompt"),
            s.getDouble("learner.reward-signal.judge-min-score"), s.getDouble("learner.reward-signal.judge-max-score"),
            s.getInt("learner.reward-signal.judge-max-tokens")),
        s.getDuration("query.open-registry.ask-timeout"),
        s.getDuration("query.open-registry.retry-after"),
        s.getDuration("query.watch-retry-after"),
        new RestartBackoff(s.getDuration("persistence.restart-backoff.min"),
            s.getDuration("persistence.restart-backoff.max"),
            s.getDouble("persistence.restart-backoff.random-factor")));
  }

  public boolean manualPromotion(String pipeline) {
    return manualPromotionByDefault || manualPromotionPipelines.contains(pipeline);
  }

  private static void positive(String key, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(key + " must be > 0, got " + value);
    }
  }
}
