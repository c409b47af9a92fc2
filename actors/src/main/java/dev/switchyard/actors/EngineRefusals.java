package dev.switchyard.actors;

import dev.switchyard.actors.EngineRejection.Reason;
import dev.switchyard.actors.query.QueryActor;
import dev.switchyard.protocol.EpisodeStep;
import dev.switchyard.protocol.QueryResult;
import dev.switchyard.protocol.Stage;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * How {@link ClusterEngine} and its collaborators turn what an ask can end with (a timeout, a refusal an entity
 * sent back, a result in which no model answered, any other failure) into an {@link EngineRejection}, so every
 * operation of the engine refuses in the same terms. A failure that is not known is UNAVAILABLE with a retry-after
 * of a second: the caller may try again, and the operation is never reported done.
 */
final class EngineRefusals {
  private EngineRefusals() {}

  /**
   * A query that abstained because every call it tried was refused by a full or broken pool is the engine being
   * overloaded, not an answer: callers get OVERLOADED with the longest retry-after the pools gave. One whose
   * every call was refused or failed, some failed, is UPSTREAM_FAILED (what a gateway answers 502). One that ended
   * on its tenant's ledger refusing its call is that refusal ({@code BUDGET_EXHAUSTED}, {@code TENANT_RATE_LIMITED}).
   */
  static Optional<EngineRejection> overloaded(QueryResult result) {
    Optional<EngineRejection> tenant = dev.switchyard.actors.tenant.TenantRefusals.of(result);
    if (tenant.isPresent()) {
      return tenant; // the tenant's budget or rate limit, not the engine's load
    }
    if (!result.abstained() || result.rounds() == 0) {
      return Optional.empty();
    }
    List<EpisodeStep> outcomes = result.episode().steps().stream()
        .filter(s -> s.stage() == Stage.GENERATE || s.stage() == Stage.REJECTED || s.stage() == Stage.FAILED)
        .toList();
    if (outcomes.isEmpty() || outcomes.stream().anyMatch(s -> s.stage() == Stage.GENERATE)) {
      return Optional.empty();
    }
    if (!outcomes.stream().allMatch(s -> s.stage() == Stage.REJECTED)) {
      // no model answered and at least one call failed (server error, timeout): as a gateway, a bad gateway
      String failures = outcomes.stream().map(s -> s.modelId() + ": " + s.decision()).distinct()
          .collect(Collectors.joining("; "));
      return Optional.of(new EngineRejection(Reason.UPSTREAM_FAILED, "no model answered query " + result.queryId()
          + ": " + failures, null));
    }
    long retryAfter = (long) outcomes.stream().mapToDouble(s -> Double.isNaN(s.signal()) ? 0 : s.signal()).max()
        .orElse(0);
    // name each refusal (e.g. "rejected: QUEUE_WAIT: pool m cannot start the call within 1000 ms ...")
    String refusals = outcomes.stream().map(EpisodeStep::decision).distinct().collect(Collectors.joining("; "));
    return Optional.of(new EngineRejection(Reason.OVERLOADED, "every model tried for query " + result.queryId()
        + " refused the call: " + refusals, Duration.ofMillis(Math.max(retryAfter, 1))));
  }

  /** A query entity's refusal; a reason this node does not know (a newer node's) is UNAVAILABLE. */
  static EngineRejection rejection(QueryActor.Refused refused) {
    Reason reason;
    try {
      reason = Reason.valueOf(refused.reason());
    } catch (IllegalArgumentException e) {
      reason = Reason.UNAVAILABLE;
    }
    return new EngineRejection(reason, refused.message(),
        refused.retryAfterMillis() >= 0 ? Duration.ofMillis(refused.retryAfterMillis()) : null);
  }

  /** The cause a completion stage failed with, out of the wrapper it adds. */
  static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
  }

  /**
   * @param what the operation, as the message names it ("promotion of p")
   * @param timeout the ask's timeout, named when it ran out
   */
  static RuntimeException asRejection(Throwable error, String what, Duration timeout) {
    Throwable cause = unwrap(error);
    if (cause instanceof EngineRejection rejection) {
      return rejection;
    }
    if (cause instanceof TimeoutException) {
      return new EngineRejection(Reason.TIMEOUT, what + " did not finish within " + timeout, null);
    }
    return new EngineRejection(Reason.UNAVAILABLE, what + " failed: " + cause, Duration.ofSeconds(1));
  }
}
