package dev.switchyard.actors;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

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
    RejectionPolicy rejectionPolicy,
    int rejectionMaxRetries,
    Duration rejectionMaxWait,
    Duration resumeInterval,
    int registrySnapshotEvery,
    PoolSettings pool,
    boolean manualPromotionByDefault,
    List<String> manualPromotionPipelines,
    int learnerSnapshotEvery,
    int learnerPublishEvery,
    Duration learnerPublishInterval,
    boolean learnerLocalLearning,
    Duration learnerLocalGrace,
    int learnerLocalMaxPending) {

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
      int rateLimitMaxRetries,
      Duration rateLimitDefaultWait,
      Duration rateLimitMaxWait,
      double rateLimitJitter,
      long rateLimitSeed,
      Duration keepAliveInterval) {
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
      if (rateLimitJitter < 0) {
        throw new IllegalArgumentException("switchyard.pool.rate-limit-retry.jitter must be >= 0, got "
            + rateLimitJitter);
      }
    }

    /** These settings with a model's own endpoint concurrency, queue bound and call timeout. */
    public PoolSettings withLimits(int concurrency, int queue, Duration timeout) {
      return new PoolSettings(concurrency, queue, maxQueueWait, minRetryAfter, timeout, loadPublishInterval,
          ewmaAlpha, breakerFailureThreshold, breakerWindow, breakerCooldown, rateLimitMaxRetries,
          rateLimitDefaultWait, rateLimitMaxWait, rateLimitJitter, rateLimitSeed, keepAliveInterval);
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
          c.getInt("rate-limit-retry.max-retries"),
          c.getDuration("rate-limit-retry.default-wait"),
          c.getDuration("rate-limit-retry.max-wait"),
          c.getDouble("rate-limit-retry.jitter"),
          c.getLong("rate-limit-retry.seed"),
          c.getDuration("keep-alive-interval"));
    }
  }

  public EngineSettings {
    positive("switchyard.query.max-rounds", maxRounds);
    positive("switchyard.query.max-deadline (ms)", queryMaxDeadline.toMillis());
    positive("switchyard.engine.stream-buffer", streamBuffer);
    positive("switchyard.learner.snapshot-every", learnerSnapshotEvery);
    positive("switchyard.learner.publish-every", learnerPublishEvery);
    positive("switchyard.learner.publish-interval (ms)", learnerPublishInterval.toMillis());
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
        rejection,
        s.getInt("query.rejection.max-retries"),
        s.getDuration("query.rejection.max-wait"),
        s.getDuration("query.open-registry.resume-interval"),
        s.getInt("query.open-registry.snapshot-every"),
        PoolSettings.from(s.getConfig("pool")),
        promotion.equals("manual"),
        s.getStringList("learner.manual-pipelines"),
        s.getInt("learner.snapshot-every"),
        s.getInt("learner.publish-every"),
        s.getDuration("learner.publish-interval"),
        s.getBoolean("learner.local-learning.enabled"),
        s.getDuration("learner.local-learning.grace"),
        s.getInt("learner.local-learning.max-pending"));
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
