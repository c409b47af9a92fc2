package dev.switchyard.actors.learn;

import dev.switchyard.actors.backend.BackendRequest;
import dev.switchyard.actors.metrics.EngineMetrics;
import dev.switchyard.actors.pool.ModelPool;
import dev.switchyard.protocol.Episode;
import dev.switchyard.protocol.Response;
import java.time.Duration;
import java.util.OptionalDouble;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * How a {@link Learner} learns the episodes no feedback came for within {@code signal-after}, with its pipeline's
 * {@link RewardSignal} as the reward ({@link RewardSignals}): at once from what the episode holds (its confidence,
 * its other models' answers), or once the reward model's pool answers the call made for it. Nothing here waits for
 * the call; a feedback that comes meanwhile wins ({@link FeedbackWindow}), and a query is learned once. A signal
 * that will not come (the call failed, timed out, or its reply is not a score) leaves the query unlearned unless a
 * feedback comes, and is counted and logged. The learner owns the actor side: it makes the calls, runs their
 * timeouts and hands back replies; this class decides.
 */
final class SignalCalls {
  private final String pipeline;
  private final RewardSignal reward;
  private final FeedbackWindow window;
  private final RewardSignals signals;
  private final EngineMetrics metrics;
  private final Logger log;
  private final Duration signalAfter;
  private final Duration callTimeout;
  /** Sends a call to the reward model and starts its timeout: the reply comes to {@link #reply}. */
  private final Consumer<BackendRequest> call;
  /** Cancels the timeout of the call of an attempt id (its reply came). */
  private final Consumer<String> cancelTimeout;
  /** Learns a scored episode with the learner's next journal write. */
  private final Consumer<Episode> learn;

  /**
   * @param signalAfter {@code switchyard.learner.signal-after}: how long a query waits for a feedback first
   * @param callTimeout {@code switchyard.query.call-timeout}, named when a call times out
   */
  SignalCalls(String pipeline, RewardSignal reward, FeedbackWindow window, RewardSignals signals,
      EngineMetrics metrics, Logger log, Duration signalAfter, Duration callTimeout, Consumer<BackendRequest> call,
      Consumer<String> cancelTimeout, Consumer<Episode> learn) {
    this.pipeline = pipeline;
    this.reward = reward;
    this.window = window;
    this.signals = signals;
    this.metrics = metrics;
    this.log = log;
    this.signalAfter = signalAfter;
    this.callTimeout = callTimeout;
    this.call = call;
    this.cancelTimeout = cancelTimeout;
    this.learn = learn;
  }

  /** Learns, or asks about, every episode whose feedback did not come within {@code signal-after}. */
  void due(long now) {
    for (Episode e : window.takeUnrewarded(now, signalAfter.toMillis())) {
      RewardSignals.Due due = signals.due(e);
      if (due instanceof RewardSignals.Reward signal) {
        window.awaitingSignal(e, now);
        learn.accept(window.signalled(e.queryId(), signal.reward(), now));
        count("learned");
      } else if (due instanceof RewardSignals.Ask ask) {
        window.awaitingSignal(e, now);
        call.accept(ask.request());
      } else {
        window.noSignal(e, now);
        count("no_signal");
      }
    }
  }

  /** The reward model's pool about a signal call. */
  void reply(ModelPool.CallResult result, long now) {
    if (result instanceof ModelPool.CallAdmitted) {
      return; // its answer follows
    }
    cancelTimeout.accept(result.attemptId());
    String queryId = RewardSignals.queryId(result.attemptId());
    String model = reward.model();
    if (result instanceof ModelPool.CallFailed failed) {
      metrics.modelCall(model, null, failed.kind());
      failed(queryId, "failed", "the call to " + model + " failed (" + failed.kind() + ": " + failed.message()
          + ")", now);
      return;
    }
    Response answer = ((ModelPool.CallAnswered) result).response();
    metrics.modelCall(model, answer, null);
    Episode waiting = window.awaitedSignal(queryId);
    if (waiting == null) {
      count("superseded"); // a feedback came first, or the call had timed out
      return;
    }
    OptionalDouble score = signals.fromAnswer(waiting, answer);
    if (score.isEmpty()) {
      failed(queryId, "unparsable", model + " replied '" + abbreviated(answer.text())
          + "', which is not a score on the judge's scale", now);
      return;
    }
    learn.accept(window.signalled(queryId, score.getAsDouble(), now));
    count("learned");
  }

  /** The call of {@code attemptId} got no answer within {@code call-timeout}. */
  void timedOut(String attemptId, long now) {
    failed(RewardSignals.queryId(attemptId), "failed", "no answer from " + reward.model() + " within "
        + callTimeout, now);
  }

  /** The signal of {@code queryId} will not come: not learned (unless a feedback comes), counted, logged. */
  private void failed(String queryId, String outcome, String why, long now) {
    if (window.signalFailed(queryId, now)) {
      count(outcome);
      log.warn("{}: query {} is not learned from reward = {}: {}", pipeline, queryId, reward.kind().configName(),
          why);
    }
  }

  private void count(String outcome) {
    metrics.rewardSignal(pipeline, reward.kind().configName(), outcome);
  }

  private static String abbreviated(String text) {
    String t = text == null ? "" : text.strip();
    return t.length() <= 80 ? t : t.substring(0, 80) + "...";
  }
}
