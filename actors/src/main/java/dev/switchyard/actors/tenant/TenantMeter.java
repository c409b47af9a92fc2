package dev.switchyard.actors.tenant;

import dev.switchyard.actors.EngineRejection;
import dev.switchyard.actors.TenantUsage;
import dev.switchyard.actors.backend.BackendRequest;
import dev.switchyard.actors.fleet.TenantSpec;
import dev.switchyard.actors.fleet.Tenants;
import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.ModelCard;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * How one node meters its tenants: which are metered (those of {@code switchyard.tenants}; a query of no tenant, or
 * of one the configuration does not name, is not), the admission of their API requests by their ledgers, the
 * estimate a model call reserves, and every tenant's usage. Shared by the engine and the query entities.
 */
public final class TenantMeter {
  public static final TenantMeter NONE = new TenantMeter(Tenants.NONE, null, null);

  private final Tenants tenants;
  private final LedgerSettings settings;
  private final ClusterSharding sharding;

  public TenantMeter(Tenants tenants, LedgerSettings settings, ClusterSharding sharding) {
    this.tenants = tenants;
    this.settings = settings;
    this.sharding = sharding;
  }

  public LedgerSettings settings() {
    return settings;
  }

  /** The tenant's limits when it is metered. */
  public Optional<TenantSpec> metered(String tenant) {
    return sharding == null ? Optional.empty() : tenants.get(tenant);
  }

  /** Whether the tenant's model calls reserve before they are sent (it has a budget or a token rate limit). */
  public static boolean reserves(TenantSpec spec) {
    return spec.budgetUsdPerDay() > 0 || spec.budgetUsdPerMonth() > 0 || spec.tokensPerMinute() > 0;
  }

  public EntityRef<TenantLedger.Command> ledger(String tenant) {
    return sharding.entityRefFor(TenantLedger.TYPE_KEY, tenant);
  }

  /**
   * Admits an API request of {@code tenant}: at once when it is not metered; counted (no wait) when it has no
   * request limit; else once its ledger admits it. Fails with {@code TENANT_RATE_LIMITED} (retry-after: when a
   * slot frees) over the limit, {@code UNAVAILABLE} when the ledger does not answer in time.
   */
  public CompletionStage<Void> admit(String tenant) {
    Optional<TenantSpec> spec = metered(tenant);
    if (spec.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    if (spec.get().requestsPerMinute() == 0) {
      ledger(tenant).tell(TenantLedger.CountRequest.INSTANCE);
      return CompletableFuture.completedFuture(null);
    }
    return ledger(tenant).<TenantLedger.Admission>ask(TenantLedger.AdmitRequest::new, settings.askTimeout())
        .handle((admission, error) -> {
          if (error != null) {
            throw new EngineRejection(EngineRejection.Reason.UNAVAILABLE, "the ledger of tenant " + tenant
                + " did not admit the request within " + settings.askTimeout() + ": " + error, Duration.ofSeconds(1));
          }
          if (admission instanceof TenantLedger.RequestRefused refused) {
            throw new EngineRejection(EngineRejection.Reason.TENANT_RATE_LIMITED, refused.message(),
                Duration.ofMillis(refused.retryAfterMillis()), TenantLedger.Limit.REQUESTS_PER_MINUTE.key());
          }
          return null;
        });
  }

  /**
   * What a call is estimated at before it is sent: its input tokens from its messages' length
   * ({@code chars-per-token}), its output tokens at its cap ({@code max_tokens}, else {@code default-output-tokens}),
   * priced by the model's card. A cap is what a call can cost at most in output, so the estimate errs high.
   */
  public Estimate estimate(ModelCard card, BackendRequest request) {
    long chars = 0;
    for (ChatMessage m : request.messages()) {
      chars += m.content() == null ? 0 : m.content().length();
    }
    if (chars == 0 && request.queryText() != null) {
      chars = request.queryText().length();
    }
    int input = (int) Math.min(Integer.MAX_VALUE, (long) Math.ceil(chars / settings.charsPerToken()));
    int output = request.maxTokens() > 0 ? request.maxTokens() : settings.defaultOutputTokens();
    return new Estimate(card == null ? 0 : card.priceUsd(input, output), (long) input + output);
  }

  public record Estimate(double usd, long tokens) {}

  /** Every configured tenant's usage, asked of its ledger (one that does not answer in time is left out). */
  public CompletionStage<List<TenantUsage>> usage() {
    if (sharding == null || tenants.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    List<CompletableFuture<TenantLedger.Usage>> asked = tenants.byName().keySet().stream().sorted()
        .map(t -> ledger(t).<TenantLedger.Usage>ask(TenantLedger.GetUsage::new, settings.askTimeout())
            .toCompletableFuture())
        .toList();
    return CompletableFuture.allOf(asked.toArray(CompletableFuture[]::new)).handle((all, error) -> asked.stream()
        .filter(f -> !f.isCompletedExceptionally()).map(CompletableFuture::join)
        .map(u -> new TenantUsage(u.tenant(), u.spentTodayUsd(), u.spec().budgetUsdPerDay(), u.spentMonthUsd(),
            u.spec().budgetUsdPerMonth(), u.requestsLastMinute(), u.spec().requestsPerMinute()))
        .toList());
  }
}
