package dev.switchyard.ops.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchyard.actors.Engine;
import dev.switchyard.actors.PipelineDefinition;
import dev.switchyard.actors.TenantUsage;
import dev.switchyard.actors.metrics.EngineMetrics;
import dev.switchyard.protocol.Episode;
import dev.switchyard.protocol.EpisodeStep;
import dev.switchyard.protocol.PoolLoad;
import dev.switchyard.protocol.Response;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.cluster.ClusterEvent.CurrentClusterState;
import org.apache.pekko.cluster.Member;

/**
 * The JSON of {@code GET /admin/dashboard}: what this node knows now of its cluster, pools, pipelines, learners and
 * shadows, tenants and recent episodes (docs/HTTP-API.md, "Admin: dashboard"). Nothing is measured for it: pools
 * come from the load they publish ({@link Engine#load()}), pipeline traffic, cost and reward signals from the node's
 * meters ({@link HttpMetrics}, {@code EngineMetrics}), answer quality and the recent episodes from the episodes that
 * finished on this node ({@link Engine#recentEpisodes()}), learners and shadows from their singletons (asked, each
 * within the engine's own timeout; a failed ask shows as that entry's {@code error}, the rest still renders).
 * Query text and answers are left out: the dashboard shows how queries were routed, not what they said.
 */
final class DashboardSnapshot {
  private final Engine engine;
  private final MeterRegistry meters;
  private final boolean metricsEnabled;
  private final AdminJson rendered;
  private final ObjectMapper mapper;
  private final Clock clock;
  private final long refreshMillis;

  DashboardSnapshot(Engine engine, HttpMetrics metrics, AdminJson rendered, ObjectMapper mapper, Clock clock,
      HttpSettings settings) {
    this.engine = engine;
    this.meters = metrics.registry();
    this.metricsEnabled = metrics.enabled();
    this.rendered = rendered;
    this.mapper = mapper;
    this.clock = clock;
    this.refreshMillis = settings.dashboardRefresh().toMillis();
  }

  /** @param cluster this node's view of its cluster's membership */
  CompletionStage<ObjectNode> take(Member self, CurrentClusterState cluster) {
    ObjectNode out = mapper.createObjectNode();
    out.put("generated_at", clock.instant().toString());
    out.put("refresh_interval_ms", refreshMillis);
    out.put("metrics_enabled", metricsEnabled);
    out.set("cluster", cluster(self, cluster));
    out.set("pools", pools());
    List<Episode> recent = engine.recentEpisodes();
    out.set("pipelines", pipelines(recent));
    CompletionStage<ArrayNode> learners = learners();
    CompletionStage<ArrayNode> tenants = engine.tenantUsage().thenApply(this::tenants);
    out.set("recent_episodes", episodes(recent));
    return learners.thenCombine(tenants, (l, t) -> {
      out.set("learners", l);
      out.set("tenants", t);
      return out;
    });
  }

  private ObjectNode cluster(Member self, CurrentClusterState state) {
    ObjectNode out = mapper.createObjectNode();
    out.put("self", self.address().toString());
    if (state.getLeader() == null) {
      out.putNull("leader");
    } else {
      out.put("leader", state.getLeader().toString());
    }
    ArrayNode members = out.putArray("members");
    for (Member m : state.getMembers()) {
      ObjectNode member = members.addObject();
      member.put("address", m.address().toString());
      member.put("status", m.status().toString());
      ArrayNode roles = member.putArray("roles");
      new TreeSet<>(m.getRoles()).forEach(roles::add);
      member.put("reachable", !state.getUnreachable().contains(m));
      member.put("self", m.equals(self));
    }
    return out;
  }

  private ArrayNode pools() {
    ArrayNode out = mapper.createArrayNode();
    for (PoolLoad load : new TreeMap<>(engine.load()).values()) {
      ObjectNode pool = out.addObject();
      pool.put("model", load.modelId());
      pool.put("queued", load.queued());
      pool.put("in_flight", load.inFlight());
      if (load.capacity() == Integer.MAX_VALUE) {
        pool.putNull("capacity");
      } else {
        pool.put("capacity", load.capacity());
      }
      pool.put("utilisation", load.utilisation());
      pool.put("ewma_latency_ms", load.ewmaLatencyMs());
      pool.put("error_rate", load.errorRate());
      pool.put("circuit", load.circuitOpen() ? "open" : "closed");
      at(pool, "published_at", load.timestampMillis());
    }
    return out;
  }

  private ArrayNode pipelines(List<Episode> recent) {
    ArrayNode out = mapper.createArrayNode();
    for (PipelineDefinition p : engine.pipelines()) {
      ObjectNode pipeline = out.addObject();
      pipeline.put("name", p.name());
      pipeline.put("strategy", p.strategy().name());
      pipeline.put("learned", p.isLearned());
      ArrayNode models = pipeline.putArray("models");
      p.models().forEach(models::add);

      ObjectNode requests = pipeline.putObject("requests");
      Map<String, Long> byStatus = new TreeMap<>();
      for (Timer t : meters.find("switchyard.http.requests").tag("pipeline", p.name()).timers()) {
        byStatus.merge(t.getId().getTag("status"), t.count(), Long::sum);
      }
      requests.put("total", byStatus.values().stream().mapToLong(Long::longValue).sum());
      ObjectNode statuses = requests.putObject("by_status");
      byStatus.forEach(statuses::put);

      ObjectNode queries = pipeline.putObject("queries");
      Map<String, Long> byModel = new TreeMap<>();
      long count = 0;
      double totalMillis = 0;
      for (Timer t : meters.find("switchyard.query.duration").tag("pipeline", p.name()).timers()) {
        byModel.merge(t.getId().getTag("model"), t.count(), Long::sum);
        count += t.count();
        totalMillis += t.totalTime(TimeUnit.MILLISECONDS);
      }
      queries.put("total", count);
      queries.put("abstained", byModel.getOrDefault(EngineMetrics.NONE, 0L));
      ObjectNode answeredBy = queries.putObject("answered_by");
      byModel.forEach((model, n) -> {
        if (!model.equals(EngineMetrics.NONE)) {
          answeredBy.put(model, n);
        }
      });
      number(queries, "mean_latency_ms", count == 0 ? null : totalMillis / count);

      double cost = meters.find("switchyard.query.cost").tag("pipeline", p.name()).counters().stream()
          .mapToDouble(Counter::count).sum();
      ObjectNode costs = pipeline.putObject("cost");
      costs.put("total_usd", cost);
      number(costs, "per_query_usd", count == 0 ? null : cost / count);

      pipeline.set("quality", quality(p.name(), recent));
    }
    return out;
  }

  /**
   * The answer quality the pipeline's recent episodes on this node show: the share answered (not abstained), the
   * answering model's own confidence, the recorded correctness of the answer (simulated backends replay it; null
   * for real ones) and the reward of those scored; and the reward signals its learner has taken (by outcome).
   */
  private ObjectNode quality(String pipeline, List<Episode> recent) {
    ObjectNode out = mapper.createObjectNode();
    List<Episode> mine = recent.stream().filter(e -> pipeline.equals(e.pipeline())).toList();
    out.put("recent_episodes", mine.size());
    long answered = mine.stream().filter(e -> e.answerModel() != null).count();
    number(out, "answered_share", mine.isEmpty() ? null : (double) answered / mine.size());
    List<Double> confidence = new ArrayList<>();
    List<Double> correct = new ArrayList<>();
    for (Episode e : mine) {
      Response answer = answerOf(e);
      if (answer != null && answer.confidence() != null && Double.isFinite(answer.confidence())) {
        confidence.add(answer.confidence());
      }
      if (answer != null && answer.referenceScore() != null && Double.isFinite(answer.referenceScore())) {
        correct.add(answer.referenceScore());
      }
    }
    number(out, "mean_confidence", mean(confidence));
    number(out, "mean_reference_score", mean(correct));
    number(out, "mean_reward", mean(mine.stream().map(Episode::score)
        .filter(s -> s != null && Double.isFinite(s)).toList()));
    ObjectNode signals = out.putObject("reward_signals");
    Map<String, Long> byOutcome = new TreeMap<>();
    for (Counter c : meters.find("switchyard.learner.reward.signals").tag("pipeline", pipeline).counters()) {
      byOutcome.merge(c.getId().getTag("outcome"), (long) c.count(), Long::sum);
    }
    byOutcome.forEach(signals::put);
    return out;
  }

  /** The call whose answer the query returned: the last answered call of the answering model. */
  private static Response answerOf(Episode e) {
    Response answer = null;
    for (Response r : e.calls()) {
      if (r.modelId().equals(e.answerModel())) {
        answer = r;
      }
    }
    return answer;
  }

  private static Double mean(List<Double> values) {
    return values.isEmpty() ? null : values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
  }

  /** Every pipeline's shadow, and for a learned one its policy: asked at once, each failure kept to its entry. */
  private CompletionStage<ArrayNode> learners() {
    List<CompletableFuture<ObjectNode>> entries = new ArrayList<>();
    for (PipelineDefinition p : engine.pipelines()) {
      CompletableFuture<ObjectNode> shadow = engine.shadow(p.name()).thenApply(rendered::report)
          .toCompletableFuture();
      CompletableFuture<ObjectNode> policy = p.isLearned()
          ? engine.policyReport(p.name()).thenApply(rendered::policy).toCompletableFuture()
          : CompletableFuture.completedFuture(null);
      entries.add(shadow.thenCombine(policy, (s, l) -> {
        ObjectNode entry = mapper.createObjectNode();
        entry.put("pipeline", p.name());
        entry.put("learned", p.isLearned());
        entry.set("policy", l == null ? null : l.without("pipeline"));
        entry.set("shadow", s.without("pipeline"));
        entry.putNull("error");
        return entry;
      }).exceptionally(failure -> {
        ObjectNode entry = mapper.createObjectNode();
        entry.put("pipeline", p.name());
        entry.put("learned", p.isLearned());
        entry.putNull("policy");
        entry.putNull("shadow");
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause() : failure;
        entry.put("error", ApiError.excerptLong(cause.getMessage()));
        return entry;
      }));
    }
    return CompletableFuture.allOf(entries.toArray(CompletableFuture[]::new)).thenApply(done -> {
      ArrayNode out = mapper.createArrayNode();
      entries.forEach(e -> out.add(e.join()));
      return out;
    });
  }

  private ArrayNode tenants(List<TenantUsage> usage) {
    ArrayNode out = mapper.createArrayNode();
    for (TenantUsage u : usage) {
      ObjectNode tenant = out.addObject();
      tenant.put("tenant", u.tenant());
      tenant.put("spent_today_usd", u.spentTodayUsd());
      tenant.put("budget_per_day_usd", u.budgetPerDayUsd());
      tenant.put("spent_month_usd", u.spentMonthUsd());
      tenant.put("budget_per_month_usd", u.budgetPerMonthUsd());
      tenant.put("requests_last_minute", u.requestsLastMinute());
      tenant.put("requests_per_minute_limit", u.requestsPerMinuteLimit());
    }
    return out;
  }

  private ArrayNode episodes(List<Episode> recent) {
    ArrayNode out = mapper.createArrayNode();
    for (Episode e : recent) {
      ObjectNode episode = out.addObject();
      episode.put("query_id", e.queryId());
      episode.put("pipeline", e.pipeline());
      episode.put("task", e.task());
      episode.put("answer_model", e.answerModel());
      episode.put("cost_usd", e.costUsd());
      episode.put("latency_ms", e.latencyMs());
      number(episode, "score", e.score());
      episode.put("policy_version", e.policyVersion());
      at(episode, "started_at", e.startedAtMillis());
      at(episode, "finished_at", e.finishedAtMillis());
      ArrayNode steps = episode.putArray("steps");
      for (EpisodeStep s : e.steps()) {
        ObjectNode step = steps.addObject();
        step.put("round", s.round());
        step.put("stage", s.stage().name());
        step.put("model", s.modelId());
        step.put("decision", s.decision());
        number(step, "signal", s.signal());
        Response r = s.response();
        if (r == null) {
          step.putNull("call");
        } else {
          ObjectNode call = step.putObject("call");
          call.put("input_tokens", r.inputTokens());
          call.put("output_tokens", r.outputTokens());
          call.put("latency_ms", r.latencyMs());
          call.put("cost_usd", r.costUsd());
          number(call, "confidence", r.confidence());
          number(call, "reference_score", r.referenceScore());
        }
      }
    }
    return out;
  }

  /** A number, or null when unknown (NaN or infinite are no JSON numbers). */
  private static void number(ObjectNode out, String field, Double value) {
    if (value == null || !Double.isFinite(value)) {
      out.putNull(field);
    } else {
      out.put(field, value);
    }
  }

  /** An instant, or null for 0 (never set). */
  private static void at(ObjectNode out, String field, long epochMillis) {
    if (epochMillis <= 0) {
      out.putNull(field);
    } else {
      out.put(field, Instant.ofEpochMilli(epochMillis).toString());
    }
  }
}
