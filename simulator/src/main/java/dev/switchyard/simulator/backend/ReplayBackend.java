package dev.switchyard.simulator.backend;

import dev.switchyard.actors.backend.BackendException;
import dev.switchyard.actors.backend.BackendException.Kind;
import dev.switchyard.actors.backend.BackendRequest;
import dev.switchyard.actors.backend.InferenceBackend;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.Response;
import dev.switchyard.simulator.backend.CallLog.CallRecord;
import dev.switchyard.strategies.data.RecordedOutcome;
import dev.switchyard.strategies.data.Replay;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One simulated GPU replica of one model, answering with what that real model answered on the recorded query
 * whose prompt matches the request's {@code queryText} ({@link PromptIndex}: exact, else the nearest recorded
 * prompt, which {@link Response#note()} then names with its similarity). Cost, tokens, confidence and
 * reference score are as recorded ({@link Replay#response}); the latency is simulated by a
 * {@link LatencyModel} that load raises, and the response arrives after {@code latency * latencyScale} of
 * wall time (0 = as fast as possible, 1 = real time, 10 = slow motion) from this backend's own scheduler:
 * the caller's thread never waits.
 *
 * <p>Failures follow the current {@link FaultPersona}, which a chaos schedule may switch at run time. Every
 * random draw (fault, noise, truncation point) comes from a generator seeded by the fleet seed, the model,
 * the replica, the attempt id and the call number of that attempt, so a failing run replays.
 *
 * <p>A replay cannot call tools or follow a response format ({@link #unhonouredFields()}: the engine refuses
 * those rather than let a replay answer as if they had not been asked). Sampling fields (temperature, top_p,
 * seed, penalties, logit_bias, stop) do not apply to a recorded answer: it is returned as recorded, and the
 * response's note names the fields that were not applied.
 *
 * <p>Idempotent per {@code attemptId}: a repeated call with the id of an answered (or still running) attempt
 * returns that same response without executing or billing again; a failed attempt may be retried and draws
 * anew. The {@link CallLog} counts calls and billable executions per attempt id (bounded).
 */
public final class ReplayBackend implements InferenceBackend {
  private static final Set<String> UNHONOURED = Set.of("tools", "tool_choice", "parallel_tool_calls",
      "response_format");
  /** Fields that change how a live model samples, which a recorded answer cannot reflect. */
  private static final List<String> SAMPLING = List.of("temperature", "top_p", "seed", "presence_penalty",
      "frequency_penalty", "logit_bias", "stop");
  private final String modelId;
  private final int replica;
  private final PromptIndex index;
  private final ModelCard card;
  private final LatencyModel latencyModel;
  private final PersonaSettings personaSettings;
  private final double latencyScale;
  private final long seed;
  private final AtomicReference<FaultPersona> persona;
  private final AtomicInteger answeredUnderPersona = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Map<String, CompletableFuture<Response>> byAttempt;
  private final Set<CompletableFuture<Response>> pending = ConcurrentHashMap.newKeySet();
  private final CallLog log;
  private final ScheduledExecutorService scheduler;
  private volatile double meanServiceMs = Double.NaN;
  private volatile boolean closed;

  private ReplayBackend(Builder b) {
    this.modelId = b.modelId;
    this.replica = b.replica;
    this.index = b.index;
    this.card = b.card;
    this.latencyModel = b.latencyModel;
    this.personaSettings = b.personaSettings;
    this.latencyScale = b.latencyScale;
    this.seed = b.seed;
    this.persona = new AtomicReference<>(b.persona);
    this.log = new CallLog(b.idempotencyCapacity, b.callLogCapacity);
    int capacity = b.idempotencyCapacity;
    this.byAttempt = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, CompletableFuture<Response>> eldest) {
        return size() > capacity;
      }
    });
    String threadName = "replay-" + modelId + "-" + replica;
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public Set<String> unhonouredFields() {
    return UNHONOURED;
  }

  public static Builder builder(String modelId, PromptIndex index) {
    return new Builder(modelId, index);
  }

  @Override
  public String modelId() {
    return modelId;
  }

  public int replica() {
    return replica;
  }

  public FaultPersona persona() {
    return persona.get();
  }

  /** Switches the persona (chaos injection); an {@code oom} persona starts counting its calls again. */
  public void setPersona(FaultPersona next) {
    persona.set(Objects.requireNonNull(next, "persona"));
    answeredUnderPersona.set(0);
  }

  public CallLog callLog() {
    return log;
  }

  public double latencyScale() {
    return latencyScale;
  }

  /** Calls accepted and not yet answered. */
  public int inFlight() {
    return inFlight.get();
  }

  @Override
  public CompletionStage<Response> complete(BackendRequest request) {
    Objects.requireNonNull(request, "request");
    if (closed) {
      return CompletableFuture.failedFuture(new BackendException(Kind.SERVER_ERROR,
          modelId + " replica " + replica + " is closed"));
    }
    int callNo = log.begin(request.attemptId());
    if (!request.modelId().equals(modelId)) {
      return refuse(request, callNo, new BackendException(Kind.CLIENT_ERROR,
          "request for model " + request.modelId() + " sent to a replica of " + modelId));
    }
    if (request.queryText() == null || request.queryText().isBlank()) {
      return refuse(request, callNo, new BackendException(Kind.CLIENT_ERROR,
          "request " + request.attemptId() + " has no query text to replay"));
    }
    CompletableFuture<Response> fresh = new CompletableFuture<>();
    CompletableFuture<Response> earlier = byAttempt.putIfAbsent(request.attemptId(), fresh);
    if (earlier != null) {
      log.end(new CallRecord(request.attemptId(), callNo, "replayed", persona.get().name(), 0, 0), false);
      return earlier.thenApply(r -> r);
    }
    if (execute(request, callNo, fresh)) {
      return fresh.thenCompose(r -> CompletableFuture.failedFuture(new BackendException(Kind.TIMEOUT,
          "reply from " + modelId + " replica " + replica + " lost after the call was executed")));
    }
    return fresh.thenApply(r -> r);
  }

  /** Runs the call; true when its reply is to be lost (it still completes and is remembered). */
  private boolean execute(BackendRequest request, int callNo, CompletableFuture<Response> result) {
    PromptIndex.Match match = index.lookup(request.queryText());
    RecordedOutcome outcome = match.query().outcome(modelId);
    FaultPersona current = persona.get();
    SplittableRandom random = new SplittableRandom(mix(seed, modelId.hashCode(), replica,
        fnv64(request.attemptId()), callNo));
    double failureDraw = random.nextDouble() * 100;
    int load = inFlight.incrementAndGet();
    double mean = Double.isNaN(meanServiceMs) ? latencyModel.baseMs(outcome) : meanServiceMs;
    LatencyModel.Timing timing = latencyModel.timing(outcome, load, mean, random);
    BackendException failure = null;
    double simulatedMs = timing.totalMs();
    boolean lostReply = false;
    if (current instanceof FaultPersona.Slow) {
      timing = timing.withExtraTtft(timing.ttftMs() * (personaSettings.slowTtftFactor() - 1));
      simulatedMs = timing.totalMs();
    } else if (current instanceof FaultPersona.GpuSlow) {
      timing = timing.withExtraTtft(personaSettings.gpuSlowTtftMs());
      simulatedMs = timing.totalMs();
    } else if (current instanceof FaultPersona.Flaky f && failureDraw < f.percent()) {
      failure = new BackendException(Kind.SERVER_ERROR,
          "simulated 500 from " + modelId + " replica " + replica + " (" + current.name() + ")");
      simulatedMs = timing.ttftMs();
    } else if (current instanceof FaultPersona.RateLimited r && failureDraw < r.percent()) {
      failure = new BackendException(Kind.RATE_LIMITED, "simulated 429 from " + modelId + " replica " + replica,
          r.retryAfter());
      simulatedMs = personaSettings.rejectMs();
    } else if (current instanceof FaultPersona.TruncateStream t && failureDraw < t.percent()) {
      int tokens = Math.max(1, outcome.outTokens());
      int cut = random.nextInt(tokens);
      failure = new BackendException(Kind.TRUNCATED, "stream from " + modelId + " replica " + replica
          + " cut after " + cut + " of " + tokens + " tokens");
      simulatedMs = timing.ttftMs() + timing.decodeMs() * cut / tokens;
    } else if (current instanceof FaultPersona.Oom o) {
      int limit = o.callsBeforeCrash() == 0 ? personaSettings.oomAfterCalls() : o.callsBeforeCrash();
      if (answeredUnderPersona.get() >= limit) {
        failure = new BackendException(Kind.SERVER_ERROR, "CUDA out of memory on " + modelId + " replica "
            + replica + " (oom after " + limit + " calls)");
        simulatedMs = timing.ttftMs();
      }
    } else if (current instanceof FaultPersona.LostReply l && failureDraw < l.percent()) {
      lostReply = true;
    } else if (current instanceof FaultPersona.BadRequest) {
      failure = new BackendException(Kind.CLIENT_ERROR, "simulated 400 from " + modelId);
      simulatedMs = personaSettings.rejectMs();
    } else if (current instanceof FaultPersona.Unauthorized) {
      failure = new BackendException(Kind.UNAUTHORIZED, "simulated 401 from " + modelId);
      simulatedMs = personaSettings.rejectMs();
    }
    if (failure == null) {
      answeredUnderPersona.incrementAndGet();
      double service = simulatedMs;
      meanServiceMs = Double.isNaN(meanServiceMs) ? service : 0.9 * meanServiceMs + 0.1 * service;
    }
    double wallMs = simulatedMs * latencyScale;
    Response response = failure == null ? response(match, simulatedMs, request) : null;
    BackendException error = failure;
    String outcomeName = failure != null ? failure.kind().name() : lostReply ? "ok-reply-lost" : "ok";
    CallRecord record = new CallRecord(request.attemptId(), callNo, outcomeName, current.name(), simulatedMs, wallMs);
    pending.add(result);
    Runnable finish = () -> {
      inFlight.decrementAndGet();
      pending.remove(result);
      log.end(record, error == null);
      if (error == null) {
        result.complete(response);
      } else {
        // A failed attempt is forgotten, so that a retry with the same id runs (and draws) again.
        byAttempt.remove(request.attemptId(), result);
        result.completeExceptionally(error);
      }
    };
    try {
      scheduler.schedule(finish, Math.round(wallMs * 1000), TimeUnit.MICROSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      inFlight.decrementAndGet();
      pending.remove(result);
      byAttempt.remove(request.attemptId(), result);
      result.completeExceptionally(new BackendException(Kind.SERVER_ERROR, modelId + " replica " + replica
          + " is closed"));
      return false;
    }
    return lostReply;
  }

  private Response response(PromptIndex.Match match, double simulatedMs, BackendRequest request) {
    List<String> notes = new ArrayList<>();
    if (!match.exact()) {
      notes.add(String.format(java.util.Locale.ROOT, "nearest recorded prompt: %s (similarity %.2f)",
          match.query().id(), match.similarity()));
    }
    List<String> sampling = request.params().fieldsGiven().stream().filter(SAMPLING::contains).toList();
    if (!sampling.isEmpty()) {
      notes.add("a replay returns the recorded answer: " + String.join(", ", sampling) + " not applied");
    }
    String note = notes.isEmpty() ? null : String.join("; ", notes);
    Response r = Replay.response(match.query(), modelId, card, note);
    return new Response(r.modelId(), r.text(), r.inputTokens(), r.outputTokens(), simulatedMs, r.costUsd(),
        r.energyJoules(), r.confidence(), r.referenceScore(), r.note());
  }

  private CompletionStage<Response> refuse(BackendRequest request, int callNo, BackendException e) {
    log.end(new CallRecord(request.attemptId(), callNo, e.kind().name(), persona.get().name(), 0, 0), false);
    return CompletableFuture.failedFuture(e);
  }

  /** Stops the scheduler; calls still waiting fail with {@code SERVER_ERROR} rather than hang. */
  @Override
  public void close() {
    closed = true;
    scheduler.shutdownNow();
    for (CompletableFuture<Response> f : pending) {
      f.completeExceptionally(new BackendException(Kind.SERVER_ERROR,
          modelId + " replica " + replica + " closed before answering"));
    }
    pending.clear();
  }

  static long mix(long... parts) {
    long h = 0x9E3779B97F4A7C15L;
    for (long p : parts) {
      h ^= p;
      h *= 0xBF58476D1CE4E5B9L;
      h ^= h >>> 31;
      h *= 0x94D049BB133111EBL;
      h ^= h >>> 29;
    }
    return h;
  }

  static long fnv64(String s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= 0x100000001b3L;
    }
    return h;
  }

  @Override
  public String toString() {
    return "ReplayBackend[" + modelId + "#" + replica + ", " + persona.get().name() + "]";
  }

  /** Validating builder; defaults are those of the simulator's reference.conf. */
  public static final class Builder {
    private final String modelId;
    private final PromptIndex index;
    private int replica;
    private ModelCard card;
    private LatencyModel latencyModel = new LatencyModel(4000, 60, 16, 0.04, 0.25, 500);
    private PersonaSettings personaSettings = new PersonaSettings(10, 10_000, 50, 5);
    private double latencyScale;
    private long seed;
    private FaultPersona persona = FaultPersona.healthy();
    private int idempotencyCapacity = 100_000;
    private int callLogCapacity = 10_000;

    private Builder(String modelId, PromptIndex index) {
      this.modelId = Objects.requireNonNull(modelId, "modelId");
      this.index = Objects.requireNonNull(index, "index");
    }

    public Builder replica(int replica) {
      if (replica < 0) {
        throw new IllegalArgumentException("replica must be >= 0, got " + replica);
      }
      this.replica = replica;
      return this;
    }

    public Builder card(ModelCard card) {
      this.card = card;
      return this;
    }

    public Builder latencyModel(LatencyModel model) {
      this.latencyModel = Objects.requireNonNull(model, "latencyModel");
      return this;
    }

    public Builder personaSettings(PersonaSettings settings) {
      this.personaSettings = Objects.requireNonNull(settings, "personaSettings");
      return this;
    }

    public Builder latencyScale(double scale) {
      if (!(scale >= 0) || Double.isInfinite(scale)) {
        throw new IllegalArgumentException("latency scale must be a finite number >= 0, got " + scale);
      }
      this.latencyScale = scale;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder persona(FaultPersona persona) {
      this.persona = Objects.requireNonNull(persona, "persona");
      return this;
    }

    public Builder persona(String name) {
      return persona(FaultPersona.parse(name));
    }

    public Builder idempotencyCapacity(int capacity) {
      if (capacity < 1) {
        throw new IllegalArgumentException("idempotency capacity must be >= 1, got " + capacity);
      }
      this.idempotencyCapacity = capacity;
      return this;
    }

    public Builder callLogCapacity(int capacity) {
      if (capacity < 0) {
        throw new IllegalArgumentException("call log capacity must be >= 0, got " + capacity);
      }
      this.callLogCapacity = capacity;
      return this;
    }

    public ReplayBackend build() {
      if (!index.models().contains(modelId)) {
        throw new IllegalArgumentException("model " + modelId + " is not in the recorded data; it has "
            + index.models());
      }
      return new ReplayBackend(this);
    }
  }
}
