package dev.switchyard.actors.tenant;

import dev.switchyard.actors.EngineRejection;
import dev.switchyard.actors.EngineRejection.Reason;
import dev.switchyard.actors.pool.FailureKind;
import dev.switchyard.protocol.EpisodeStep;
import dev.switchyard.protocol.QueryResult;
import dev.switchyard.protocol.Stage;
import java.time.Duration;
import java.util.Optional;

/**
 * What a query that ended on its tenant's ledger refusing a call means to its caller: an abstained query whose last
 * call the ledger refused is the tenant's budget or rate limit, not an answer. (A query that had an answer before
 * the refusal answers with it.)
 */
public final class TenantRefusals {
  private TenantRefusals() {}

  public static Optional<EngineRejection> of(QueryResult result) {
    if (!result.abstained()) {
      return Optional.empty();
    }
    EpisodeStep last = null;
    for (EpisodeStep s : result.episode().steps()) {
      if (s.stage() == Stage.FAILED || s.stage() == Stage.REJECTED || s.stage() == Stage.GENERATE) {
        last = s;
      }
    }
    if (last == null) {
      return Optional.empty();
    }
    Optional<FailureKind> kind = FailureKind.of(last).filter(FailureKind::isTenantRefusal);
    if (kind.isEmpty()) {
      return Optional.empty();
    }
    String prefix = FailureKind.decision(false, kind.get().name(), "");
    String message = last.decision().startsWith(prefix + ": ") ? last.decision().substring(prefix.length() + 2)
        : last.decision();
    Duration retryAfter = Double.isNaN(last.signal()) || last.signal() < 0 ? null
        : Duration.ofMillis(Math.max(1, (long) last.signal()));
    return Optional.of(switch (kind.get()) {
      case TENANT_DAY_BUDGET -> new EngineRejection(Reason.BUDGET_EXHAUSTED, message, retryAfter,
          TenantLedger.Limit.BUDGET_PER_DAY.key());
      case TENANT_MONTH_BUDGET -> new EngineRejection(Reason.BUDGET_EXHAUSTED, message, retryAfter,
          TenantLedger.Limit.BUDGET_PER_MONTH.key());
      case TENANT_TOKEN_RATE -> new EngineRejection(Reason.TENANT_RATE_LIMITED, message,
          retryAfter == null ? Duration.ofSeconds(60) : retryAfter, TenantLedger.Limit.TOKENS_PER_MINUTE.key());
      default -> new EngineRejection(Reason.UNAVAILABLE, message, retryAfter == null ? Duration.ofSeconds(1)
          : retryAfter);
    });
  }
}
