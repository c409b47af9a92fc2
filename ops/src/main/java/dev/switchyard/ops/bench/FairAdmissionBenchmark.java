package dev.switchyard.ops.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.actors.Engine;
import dev.switchyard.actors.EngineNode;
import dev.switchyard.actors.EngineRejection;
import dev.switchyard.actors.EngineSetup;
import dev.switchyard.actors.NodeConfig;
import dev.switchyard.actors.PipelineDefinition;
import dev.switchyard.actors.backend.BackendRequest;
import dev.switchyard.actors.backend.InferenceBackend;
import dev.switchyard.actors.fleet.TenantSpec;
import dev.switchyard.actors.fleet.Tenants;
import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.Durability;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.Query;
import dev.switchyard.protocol.Response;
import dev.switchyard.simulator.cli.LatencyHistogram;
import dev.switchyard.strategies.pipeline.FallbackChain;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Fair admission under a noisy neighbour, on one engine node in this JVM: one model whose one backend answers every
 * call after a fixed service time and whose pool runs {@code concurrency} calls at once (capacity = concurrency /
 * service time), two tenants of equal priority. Three runs of open-loop load, each query's latency counted from its
 * intended send time (coordinated omission corrected, as in {@link OpenLoopLoad}):
 *
 * <ol>
 *   <li>{@code alone}: the quiet tenant alone at its rate (by default its share, half the capacity);
 *   <li>{@code fair}: the same, while the noisy tenant sends {@code noisy-factor} times its share;
 *   <li>{@code fifo}: the same load with no tenant on the queries: every call in the pool's one unmetered lane,
 *       first come, first served, which is what the pool did before fair admission.
 * </ol>
 *
 * The queries go through the whole engine (a query entity, its pipeline, the pool's admission, a worker); a call the
 * pool refuses (queue full, or it cannot start within max-queue-wait) makes the query fail {@code OVERLOADED} at once,
 * as a client would get a 429. The figure of merit: the quiet tenant's p99 in {@code fair} over its p99 alone.
 */
public final class FairAdmissionBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String MODEL = "fixed-service";
  static final String PIPELINE = MODEL;
  static final String QUIET = "quiet";
  static final String NOISY = "noisy";

  /**
   * @param quietLoad the quiet tenant's rate as a fraction of its share (half the capacity)
   * @param noisyFactor the noisy tenant's rate in multiples of its share
   */
  public record Settings(Duration serviceTime, int concurrency, double quietLoad, double noisyFactor,
      Duration warmup, Duration duration, Duration requestTimeout, Path stateDir) {
    public Settings {
      Objects.requireNonNull(stateDir, "stateDir");
      if (serviceTime.toMillis() < 1 || serviceTime.compareTo(Duration.ofMinutes(1)) > 0) {
        throw new IllegalArgumentException("--service-time must be between 1 ms and 1 min, got " + serviceTime);
      }
      if (concurrency < 1 || concurrency > 1024) {
        throw new IllegalArgumentException("--concurrency must be 1..1024, got " + concurrency);
      }
      if (!(quietLoad > 0 && quietLoad <= 10)) {
        throw new IllegalArgumentException("--quiet-load must be in (0, 10] (a fraction of its share), got "
            + quietLoad);
      }
      if (!(noisyFactor >= 0 && noisyFactor <= 1000)) {
        throw new IllegalArgumentException("--noisy-factor must be in [0, 1000], got " + noisyFactor);
      }
      if (duration.isNegative() || duration.isZero() || duration.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("--duration must be between 1 ms and 1 h, got " + duration);
      }
      if (warmup.isNegative() || warmup.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException("--warmup must be between 0 and 10 min, got " + warmup);
      }
    }

    /** Calls per second the pool can serve. */
    double capacityPerSecond() {
      return concurrency * 1000.0 / serviceTime.toMillis();
    }

    /** Each tenant's share of the capacity (equal priorities: half each). */
    double sharePerSecond() {
      return capacityPerSecond() / 2;
    }
  }

  /** A backend with a fixed service time: it answers each call that long after it was asked, blocking nothing. */
  static final class FixedServiceTimeBackend implements InferenceBackend {
    private final Executor later;
    private final double serviceMs;

    FixedServiceTimeBackend(Duration serviceTime) {
      this.later = CompletableFuture.delayedExecutor(serviceTime.toMillis(), TimeUnit.MILLISECONDS);
      this.serviceMs = serviceTime.toMillis();
    }

    @Override
    public String modelId() {
      return MODEL;
    }

    @Override
    public CompletionStage<Response> complete(BackendRequest request) {
      return CompletableFuture.supplyAsync(() -> new Response(MODEL, "4", 10, 1, serviceMs, 0.0, 0.0, 1.0, null,
          null), later);
    }
  }

  private FairAdmissionBenchmark() {}

  /** Starts the node, runs the three loads in turn, stops the node; the results as one JSON object. */
  public static ObjectNode run(Settings settings) {
    double quietRate = settings.sharePerSecond() * settings.quietLoad();
    double noisyRate = settings.sharePerSecond() * settings.noisyFactor();
    Config config = NodeConfig.load(ConfigFactory.parseMap(Map.of(
        "switchyard.state-dir", settings.stateDir().toAbsolutePath().toString(),
        "switchyard.pool.max-concurrency-per-worker", settings.concurrency(),
        "pekko.loglevel", "ERROR")), "single-node");
    Tenants tenants = new Tenants(Map.of(QUIET, tenant(QUIET), NOISY, tenant(NOISY)));
    EngineSetup setup = new EngineSetup(List.of(new ModelCard(MODEL, 1, 1, 8192, settings.serviceTime().toMillis(),
        0.1, Map.of())), Map.of(MODEL, List.of(new FixedServiceTimeBackend(settings.serviceTime()))),
        List.of(PipelineDefinition.fixed(PIPELINE, "model " + MODEL + " directly", FallbackChain.info(),
            new FallbackChain(List.of(MODEL))).restrictedTo(List.of(MODEL))))
        .withTenants(tenants);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "switchyard-bench-fair", config);
    try {
      Engine engine = EngineNode.start(system, setup);
      ObjectNode out = JSON.createObjectNode();
      out.put("service_time_ms", settings.serviceTime().toMillis());
      out.put("concurrency", settings.concurrency());
      out.put("capacity_rps", settings.capacityPerSecond());
      out.put("share_rps", settings.sharePerSecond());
      out.put("quiet_rps", quietRate);
      out.put("noisy_rps", noisyRate);
      out.put("max_queue", config.getInt("switchyard.pool.max-queue"));
      out.put("max_queue_wait_ms", config.getDuration("switchyard.pool.max-queue-wait").toMillis());
      out.put("warmup_s", settings.warmup().toMillis() / 1000.0);
      out.put("duration_s", settings.duration().toMillis() / 1000.0);
      ObjectNode runs = out.putObject("runs");
      runs.set("alone", new Load(engine, settings).run(quietRate, 0, true));
      runs.set("fair", new Load(engine, settings).run(quietRate, noisyRate, true));
      runs.set("fifo", new Load(engine, settings).run(quietRate, noisyRate, false));
      ObjectNode ratios = out.putObject("quiet_p99_over_alone");
      for (String run : List.of("fair", "fifo")) {
        JsonNode p99 = runs.at("/" + run + "/quiet/latency_ms/p99");
        JsonNode p99Alone = runs.at("/alone/quiet/latency_ms/p99");
        if (p99.isNumber() && p99Alone.isNumber()) {
          ratios.put(run, Math.round(p99.asDouble() / p99Alone.asDouble() * 100) / 100.0);
        } else {
          ratios.putNull(run); // the quiet tenant had no answer in that run
        }
      }
      return out;
    } finally {
      system.terminate();
      try {
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        // stopping: nothing more to do with a system that would not stop in time
      }
    }
  }

  private static TenantSpec tenant(String name) {
    return new TenantSpec(name, 0, 0, 0, 0, List.of(), 1);
  }

  /** One run: a sender per tenant at its rate, for the warm-up and the measured duration. */
  private static final class Load {
    private final Engine engine;
    private final Settings settings;
    private final AtomicLong ids = new AtomicLong();

    Load(Engine engine, Settings settings) {
      this.engine = engine;
      this.settings = settings;
    }

    /** @param tenanted whether the queries carry their tenant (fair admission) or none (one FIFO lane) */
    ObjectNode run(double quietRate, double noisyRate, boolean tenanted) {
      long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5);
      long measureFrom = start + settings.warmup().toNanos();
      long end = measureFrom + settings.duration().toNanos();
      Window quiet = new Window(measureFrom);
      Window noisy = new Window(measureFrom);
      Thread quietSender = sender(QUIET, tenanted, quietRate, start, end, quiet);
      Thread noisySender = noisyRate > 0 ? sender(NOISY, tenanted, noisyRate, start, end, noisy) : null;
      join(quietSender);
      join(noisySender);
      long deadline = System.nanoTime() + settings.requestTimeout().toNanos();
      while ((quiet.outstanding.get() > 0 || noisy.outstanding.get() > 0) && System.nanoTime() < deadline) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
      }
      ObjectNode r = JSON.createObjectNode();
      r.put("tenants_on_queries", tenanted);
      r.set("quiet", quiet.report(quietRate, settings.duration()));
      if (noisyRate > 0) {
        r.set("noisy", noisy.report(noisyRate, settings.duration()));
      }
      return r;
    }

    private Thread sender(String tenant, boolean tenanted, double rate, long start, long end, Window window) {
      Thread t = new Thread(() -> {
        double periodNanos = 1e9 / rate;
        for (long i = 0; ; i++) {
          long intended = start + Math.round(i * periodNanos);
          if (intended >= end) {
            return;
          }
          long wait = intended - System.nanoTime();
          if (wait > 0) {
            LockSupport.parkNanos(wait);
          }
          Query query = Query.ofText(tenant + "-" + ids.incrementAndGet() + "-" + start, "What is 2 + 2?")
              .withBudget(Budget.unlimited()).withTenant(tenanted ? tenant : null);
          window.sent(intended, engine.answer(query, PIPELINE, Durability.EPHEMERAL).toCompletableFuture()
              .orTimeout(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS));
        }
      }, "bench-fair-" + tenant);
      t.start();
      return t;
    }

    private static void join(Thread t) {
      if (t == null) {
        return;
      }
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
  }

  /** One tenant's queries of a run: latencies of the answered ones from intended send time, and the others. */
  private static final class Window {
    private final long measureFrom;
    private final LatencyHistogram answered = new LatencyHistogram();
    private final Map<String, Long> failed = new TreeMap<>();
    private final AtomicLong outstanding = new AtomicLong();
    private long sent;

    Window(long measureFrom) {
      this.measureFrom = measureFrom;
    }

    void sent(long intendedNanos, CompletableFuture<?> outcome) {
      boolean counted = intendedNanos >= measureFrom;
      if (counted) {
        synchronized (this) {
          sent++;
        }
      }
      outstanding.incrementAndGet();
      outcome.whenComplete((result, failure) -> {
        long now = System.nanoTime();
        if (counted) {
          synchronized (this) {
            if (failure == null) {
              answered.record((now - intendedNanos) / 1e6);
            } else {
              failed.merge(kindOf(failure), 1L, Long::sum);
            }
          }
        }
        outstanding.decrementAndGet();
      });
    }

    private static String kindOf(Throwable failure) {
      Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
          : failure;
      if (t instanceof EngineRejection rejection) {
        return "refused_" + rejection.reason().name();
      }
      return t.getClass().getSimpleName().contains("Timeout") ? "timeout" : "error_" + t.getClass().getSimpleName();
    }

    synchronized ObjectNode report(double rate, Duration duration) {
      ObjectNode r = JSON.createObjectNode();
      r.put("offered_rps", Math.round(rate * 100) / 100.0);
      r.put("sent", sent);
      r.put("answered", answered.count());
      r.put("answered_rps", Math.round(answered.count() / (duration.toMillis() / 1000.0) * 10) / 10.0);
      ObjectNode kinds = r.putObject("not_answered");
      failed.forEach(kinds::put);
      long unanswered = outstanding.get();
      if (unanswered > 0) {
        kinds.put("unanswered", unanswered);
      }
      BenchReport.putLatencies(r, "latency_ms", answered);
      return r;
    }
  }
}
