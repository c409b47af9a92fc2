package dev.switchyard.actors.metrics;

import dev.switchyard.actors.pool.FailureKind;
import dev.switchyard.actors.pool.CircuitBreaker;
import dev.switchyard.protocol.Episode;
import dev.switchyard.protocol.EpisodeStep;
import dev.switchyard.protocol.PoolLoad;
import dev.switchyard.protocol.Response;
import dev.switchyard.strategies.plan.Planner;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.Supplier;

/**
 * The engine's meters on one node, in the node's {@link MeterRegistry} (created where the node boots and passed
 * in; never a static global). Nothing here measures twice what the engine already knows: model calls, tokens,
 * cost, upstream latency and errors come from each finished {@link Episode} (recorded by the node that ran the
 * query, before its caller is answered), queue depth, in-flight calls and circuit states from the
 * {@link PoolLoad} each pool publishes (recorded by the node hosting the pool), policy versions from the node's
 * view of the published snapshots. Only the routing decision is timed here, around the planner.
 *
 * <p>Tags are bounded: a model id outside the deployment is {@value #UNKNOWN}, a failure kind outside the known
 * ones (a {@link FailureKind}) is {@value #OTHER_KIND}; no query id is ever a
 * tag. Every method is thread-safe and non-blocking: actors call it on their own thread, and a scrape reads
 * gauges from fields, never by asking an actor.
 */
public final class EngineMetrics {
  /** The model tag of a model outside this deployment (a planner routed to a model it does not have). */
  public static final String UNKNOWN = "unknown";
  /** The model tag of a query no model answered (it abstained). */
  public static final String NONE = "none";
  /** The kind tag of a failure of no known kind. */
  public static final String OTHER_KIND = "OTHER";

  /** The values of {@code switchyard.pool.circuit.state}. */
  public static final int CIRCUIT_CLOSED = 0;
  public static final int CIRCUIT_HALF_OPEN = 1;
  public static final int CIRCUIT_OPEN = 2;

  private final MeterRegistry registry;
  private final MetricsSettings settings;
  private final Set<String> modelIds;
  private final Map<String, Timer> decisionTimers = new ConcurrentHashMap<>();
  private final Map<String, PoolGauges> pools = new ConcurrentHashMap<>();

  /**
   * @param modelIds the deployment's model ids: the only values the {@code model} tag takes besides
   *     {@value #UNKNOWN} and {@value #NONE}
   */
  public EngineMetrics(MeterRegistry registry, MetricsSettings settings, Collection<String> modelIds) {
    this.registry = registry;
    this.settings = settings;
    this.modelIds = Set.copyOf(modelIds);
  }

  /** Meters that record nothing: for engines started without a registry (demos, simulations, most tests). */
  public static MeterRegistry noRegistry() {
    return new CompositeMeterRegistry();
  }

  public MeterRegistry registry() {
    return registry;
  }

  // ---------------------------------------------------------------- queries and model calls

  /**
   * Records a finished query from its episode: every attempt it made ({@code switchyard.model.calls} by outcome,
   * {@code switchyard.model.errors} by kind for the failed and refused ones), the tokens, cost and latency of
   * every answered call, the query's cost by pipeline ({@code switchyard.query.cost}) and its own latency
   * ({@code switchyard.query.duration}, tagged with the answering model or {@value #NONE}).
   */
  public void queryFinished(Episode episode) {
    for (EpisodeStep step : episode.steps()) {
      switch (step.stage()) {
        case GENERATE -> {
          if (step.response() != null) {
            answered(step.response());
          }
        }
        case FAILED -> attemptFailed(step, "failed");
        case REJECTED -> attemptFailed(step, "rejected");
        default -> { }
      }
    }
    if (Double.isFinite(episode.costUsd()) && episode.costUsd() > 0) {
      Counter.builder("switchyard.query.cost").description("Cost of the queries' model calls, in US dollars, by"
          + " pipeline").baseUnit("usd").tags("pipeline", episode.pipeline()).register(registry)
          .increment(episode.costUsd());
    }
    String answerModel = episode.answerModel() == null ? NONE : model(episode.answerModel());
    record(latencyTimer("switchyard.query.duration", "Latency of a query from its acceptance to its answer or "
        + "abstention, through every round", "pipeline", episode.pipeline(), "model", answerModel),
        episode.latencyMs());
  }

  private void answered(Response response) {
    String model = model(response.modelId());
    calls(model, "answered").increment();
    Counter.builder("switchyard.model.tokens").description("Tokens of answered model calls")
        .baseUnit("tokens").tags("model", model, "type", "input").register(registry)
        .increment(Math.max(0, response.inputTokens()));
    Counter.builder("switchyard.model.tokens").description("Tokens of answered model calls")
        .baseUnit("tokens").tags("model", model, "type", "output").register(registry)
        .increment(Math.max(0, response.outputTokens()));
    if (Double.isFinite(response.costUsd()) && response.costUsd() > 0) {
      Counter.builder("switchyard.model.cost").description("Cost of answered model calls, in US dollars")
          .baseUnit("usd").tags("model", model).register(registry).increment(response.costUsd());
    }
    record(latencyTimer("switchyard.model.call.duration", "Latency of an answered model call as its backend "
        + "reported it (the upstream call)", "model", model), response.latencyMs());
  }

  private void attemptFailed(EpisodeStep step, String outcome) {
    failed(step.modelId() == null ? UNKNOWN : model(step.modelId()), outcome,
        FailureKind.of(step).map(Enum::name).orElse(OTHER_KIND));
  }

  private void failed(String model, String outcome, String kind) {
    calls(model, outcome).increment();
    Counter.builder("switchyard.model.errors").description("Model calls that failed (a backend kind) or that a "
        + "pool refused (a refusal kind)").tags("model", model, "kind", kind).register(registry)
        .increment();
  }

  /**
   * A model call made outside a query (a learner's reward-signal call to its judge or agreement model), counted
   * with the model's calls, tokens, cost and latency like a query's: {@code response} when answered, else the
   * failure {@code kind} (a refusal counts as rejected).
   */
  public void modelCall(String modelId, Response response, FailureKind kind) {
    if (response != null) {
      answered(response);
    } else {
      failed(model(modelId), kind.isRefusal() ? "rejected" : "failed", kind.name());
    }
  }

  /**
   * The fate of a learner's reward signal for a query no feedback came for: {@code switchyard.learner.reward.signals}
   * by pipeline, reward kind and outcome ({@code learned}, {@code unparsable} judgement, {@code failed} call,
   * {@code no_signal} (nothing to read it from, e.g. an abstention), {@code superseded} by a feedback).
   */
  public void rewardSignal(String pipeline, String reward, String outcome) {
    Counter.builder("switchyard.learner.reward.signals").description("Reward signals of queries no feedback came"
        + " for, by outcome").tags("pipeline", pipeline, "reward", reward, "outcome", outcome).register(registry)
        .increment();
  }

  private Counter calls(String model, String outcome) {
    return Counter.builder("switchyard.model.calls").description("Model calls the queries made, by outcome: "
        + "answered, failed or rejected (refused by the pool)").tags("model", model, "outcome", outcome)
        .register(registry);
  }

  private String model(String modelId) {
    return modelIds.contains(modelId) ? modelId : UNKNOWN;
  }

  /** A timer with the configured LLM latency buckets. */
  private Timer latencyTimer(String name, String description, String... tags) {
    return Timer.builder(name).description(description).tags(tags)
        .serviceLevelObjectives(settings.latencySlos()).register(registry);
  }

  private static void record(Timer timer, double millis) {
    if (Double.isFinite(millis) && millis >= 0) {
      timer.record((long) (millis * 1_000_000), TimeUnit.NANOSECONDS);
    }
  }

  // ---------------------------------------------------------------- routing decisions

  /**
   * {@code planner}, timed: each decision it takes is recorded in {@code switchyard.routing.decision} (wall time
   * of {@link Planner#next}, whatever it returns or throws).
   */
  public Planner timed(String pipeline, Planner planner) {
    Timer timer = decisionTimers.computeIfAbsent(pipeline, p -> Timer.builder("switchyard.routing.decision")
        .description("Time the pipeline's planner takes to decide the next action of a query")
        .tags("pipeline", p)
        .serviceLevelObjectives(settings.decisionSlos()).register(registry));
    return state -> {
      long started = System.nanoTime();
      try {
        return planner.next(state);
      } finally {
        timer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
      }
    };
  }

  // ---------------------------------------------------------------- pools

  /**
   * The load a pool hosted on this node has just published, and the state of each of its workers' circuits:
   * sets {@code switchyard.pool.queue.depth}, {@code switchyard.pool.in.flight} and
   * {@code switchyard.pool.circuit.state} (registered on the first report).
   */
  public void poolLoad(PoolLoad load, List<CircuitBreaker.State> circuits) {
    PoolGauges gauges = pools.compute(load.modelId(), (id, existing) -> {
      if (existing != null && existing.circuits.length() == circuits.size()) {
        return existing;
      }
      if (existing != null) {
        existing.remove(registry);
      }
      return new PoolGauges(registry, model(id), circuits.size());
    });
    gauges.queued = load.queued();
    gauges.inFlight = load.inFlight();
    for (int i = 0; i < circuits.size(); i++) {
      gauges.circuits.set(i, circuitCode(circuits.get(i)));
    }
  }

  /** The pool stopped on this node (it moved, or the node shuts down): its gauges go with it. */
  public void poolStopped(String modelId) {
    PoolGauges gauges = pools.remove(modelId);
    if (gauges != null) {
      gauges.remove(registry);
    }
  }

  static int circuitCode(CircuitBreaker.State state) {
    return switch (state) {
      case CLOSED -> CIRCUIT_CLOSED;
      case HALF_OPEN -> CIRCUIT_HALF_OPEN;
      case OPEN -> CIRCUIT_OPEN;
    };
  }

  /** The gauges of one pool; Micrometer holds gauge objects weakly, this map holds them for it. */
  private static final class PoolGauges {
    volatile int queued;
    volatile int inFlight;
    final AtomicIntegerArray circuits;
    final List<Meter> meters = new ArrayList<>();

    PoolGauges(MeterRegistry registry, String model, int workers) {
      circuits = new AtomicIntegerArray(workers);
      meters.add(Gauge.builder("switchyard.pool.queue.depth", this, g -> g.queued)
          .description("Calls waiting in the model pool's queue for a free worker").tags("model", model)
          .register(registry));
      meters.add(Gauge.builder("switchyard.pool.in.flight", this, g -> g.inFlight)
          .description("Calls the model pool's workers are running").tags("model", model).register(registry));
      for (int i = 0; i < workers; i++) {
        int worker = i;
        meters.add(Gauge.builder("switchyard.pool.circuit.state", this, g -> g.circuits.get(worker))
            .description("Circuit breaker of a worker of the model pool: 0 closed, 1 half-open, 2 open")
            .tags("model", model, "worker", Integer.toString(worker)).register(registry));
      }
    }

    void remove(MeterRegistry registry) {
      meters.forEach(registry::remove);
    }
  }

  // ---------------------------------------------------------------- learners

  /**
   * Registers {@code switchyard.learner.policy.version} of a learned pipeline: the version of its policy that
   * decides on this node, as {@code version} reads it (from the node's view of the published snapshots).
   */
  public void policyVersion(String pipeline, Supplier<Number> version) {
    Gauge.builder("switchyard.learner.policy.version", version)
        .description("Version of the learned pipeline's policy that decides on this node")
        .tags("pipeline", pipeline).register(registry);
  }
}
