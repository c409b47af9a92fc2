package dev.switchyard.actors;

import dev.switchyard.actors.EngineRejection.Reason;
import dev.switchyard.actors.job.JobActor;
import dev.switchyard.actors.job.JobSettings;
import dev.switchyard.actors.job.JobSpec;
import dev.switchyard.actors.job.JobUpdate;
import dev.switchyard.actors.job.JobView;
import dev.switchyard.actors.journal.JournalHealth;
import dev.switchyard.actors.journal.JournalStatus;
import dev.switchyard.actors.learn.Learner;
import dev.switchyard.actors.query.QueryActor;
import dev.switchyard.protocol.Durability;
import dev.switchyard.protocol.Feedback;
import dev.switchyard.protocol.PoolLoad;
import dev.switchyard.protocol.Query;
import dev.switchyard.protocol.QueryResult;
import dev.switchyard.actors.fleet.PolicyArtifacts;
import dev.switchyard.actors.shadow.ShadowRegistry;
import dev.switchyard.strategies.artifact.PolicyArtifact;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSource;

/**
 * The {@link Engine} of one node: validates, then asks the query's sharded entity with a timeout from
 * configuration (the query's own deadline plus a grace when it has one) and maps every failure to an
 * {@link EngineRejection}. Work that waits on a journal write (durable queries, job submits and cancels) is
 * refused at once ({@code JOURNAL_UNAVAILABLE}) while {@link JournalHealth} says the journal cannot write, and
 * a caller still waiting when it goes down (or when the entity cannot read its journal) is refused then.
 */
final class ClusterEngine implements Engine {
  private final NodeServices services;
  private final List<PipelineDefinition> pipelines;
  private final org.apache.pekko.actor.typed.Scheduler scheduler;
  private final JobSettings jobSettings;
  private final JournalHealth journal;
  /** Per model id, the request fields its backends on this node cannot honour. */
  private final Map<String, Set<String>> unhonouredFields;
  /** The transport's largest message ({@code pekko.remote.artery.advanced.maximum-frame-size}). */
  private final long maximumFrameBytes;

  /**
   * @param unhonouredFields per model id, the request fields its backends cannot honour
   *     ({@link dev.switchyard.actors.backend.InferenceBackend#unhonouredFields()})
   * @param maximumFrameBytes the transport's largest message: what an installed shadow must fit in
   */
  ClusterEngine(NodeServices services, List<PipelineDefinition> pipelines,
      org.apache.pekko.actor.typed.Scheduler scheduler, JobSettings jobSettings, JournalHealth journal,
      Map<String, Set<String>> unhonouredFields, long maximumFrameBytes) {
    this.unhonouredFields = Map.copyOf(unhonouredFields);
    this.maximumFrameBytes = maximumFrameBytes;
    this.services = services;
    this.pipelines = List.copyOf(pipelines);
    this.scheduler = scheduler;
    this.jobSettings = jobSettings;
    this.journal = journal;
  }

  @Override
  public JournalStatus journal() {
    return journal.status();
  }

  @Override
  public List<PipelineDefinition> pipelines() {
    return pipelines;
  }

  @Override
  public CompletionStage<QueryResult> answer(Query query, String pipeline, Durability durability) {
    Optional<EngineRejection> invalid = validate(query, pipeline, durability);
    if (invalid.isPresent()) {
      return CompletableFuture.failedFuture(invalid.get());
    }
    Duration timeout = timeoutFor(query);
    boolean durable = durability == Durability.DURABLE;
    String what = "durable query " + query.id() + " was not answered";
    if (durable && !journal.writable()) {
      return CompletableFuture.failedFuture(journal.unavailable(what + " (not accepted)"));
    }
    CompletionStage<QueryActor.Reply> asked = entity(query.id())
        .ask(replyTo -> new QueryActor.Submit(query, pipeline, durability, false, replyTo), timeout);
    if (durable) {
      asked = journal.guard(JournalHealth.entity(QueryActor.TYPE_KEY, query.id()), true,
          what + " (if it was accepted it resumes once the journal takes writes)", asked);
    }
    return asked
        .handle((reply, error) -> {
          if (error != null) {
            throw asRejection(error, "query " + query.id(), timeout);
          }
          if (reply instanceof QueryActor.Completed completed) {
            overloaded(completed.result()).ifPresent(e -> {
              throw e;
            });
            return completed.result();
          }
          throw rejection((QueryActor.Refused) reply);
        });
  }

  @Override
  public Source<QueryProgress, NotUsed> answerStreaming(Query query, String pipeline, Durability durability) {
    Optional<EngineRejection> invalid = validate(query, pipeline, durability);
    if (invalid.isPresent()) {
      return Source.failed(invalid.get());
    }
    Duration timeout = timeoutFor(query);
    boolean durable = durability == Durability.DURABLE;
    String what = "durable query " + query.id() + " was not answered";
    if (durable && !journal.writable()) {
      return Source.failed(journal.unavailable(what + " (not accepted)"));
    }
    Source<QueryActor.Reply, ActorRef<QueryActor.Reply>> source = ActorSource.actorRef(
        reply -> false,
        reply -> reply instanceof QueryActor.Refused refused ? Optional.of(rejection(refused)) : Optional.empty(),
        services.settings().streamBuffer(), OverflowStrategy.fail());
    return source
        .mapMaterializedValue(ref -> {
          entity(query.id()).tell(new QueryActor.Submit(query, pipeline, durability, true, true, ref));
          return ref;
        })
        .watchTermination((ref, ended) -> {
          if (durable) {
            // The stream fails as soon as the journal goes down (or the query cannot read its journal).
            journal.guard(JournalHealth.entity(QueryActor.TYPE_KEY, query.id()), true,
                what + " (if it was accepted it resumes once the journal takes writes)", ended)
                .whenComplete((done, error) -> {
                  if (unwrap(error) instanceof EngineRejection r) {
                    ref.tell(new QueryActor.Refused(r.reason().name(), r.getMessage(),
                        r.retryAfter() == null ? -1 : r.retryAfter().toMillis()));
                  }
                });
          }
          return NotUsed.getInstance();
        })
        .takeWhile(reply -> !(reply instanceof QueryActor.Completed), true)
        .map(ClusterEngine::progress)
        .completionTimeout(timeout)
        .mapError(TimeoutException.class, e -> new EngineRejection(Reason.TIMEOUT,
            "query " + query.id() + " did not finish within " + timeout, null));
  }

  /**
   * A query that abstained because every call it tried was refused by a full or broken pool is the engine being
   * overloaded, not an answer: callers get OVERLOADED with the longest retry-after the pools gave. One whose
   * every call was refused or failed, some failed, is UPSTREAM_FAILED (what a gateway answers 502).
   */
  private static Optional<EngineRejection> overloaded(QueryResult result) {
    if (!result.abstained() || result.rounds() == 0) {
      return Optional.empty();
    }
    List<dev.switchyard.protocol.EpisodeStep> outcomes = result.episode().steps().stream()
        .filter(s -> s.stage() == dev.switchyard.protocol.Stage.GENERATE
            || s.stage() == dev.switchyard.protocol.Stage.REJECTED || s.stage() == dev.switchyard.protocol.Stage.FAILED)
        .toList();
    if (outcomes.isEmpty() || outcomes.stream().anyMatch(s -> s.stage() == dev.switchyard.protocol.Stage.GENERATE)) {
      return Optional.empty();
    }
    if (!outcomes.stream().allMatch(s -> s.stage() == dev.switchyard.protocol.Stage.REJECTED)) {
      // no model answered and at least one call failed (server error, timeout): as a gateway, a bad gateway
      String failures = outcomes.stream().map(s -> s.modelId() + ": " + s.decision()).distinct()
          .collect(java.util.stream.Collectors.joining("; "));
      return Optional.of(new EngineRejection(Reason.UPSTREAM_FAILED, "no model answered query " + result.queryId()
          + ": " + failures, null));
    }
    long retryAfter = (long) outcomes.stream().mapToDouble(s -> Double.isNaN(s.signal()) ? 0 : s.signal()).max()
        .orElse(0);
    // name each refusal (e.g. "rejected: QUEUE_WAIT: pool m cannot start the call within 1000 ms ...")
    String refusals = outcomes.stream().map(dev.switchyard.protocol.EpisodeStep::decision).distinct()
        .collect(java.util.stream.Collectors.joining("; "));
    return Optional.of(new EngineRejection(Reason.OVERLOADED, "every model tried for query " + result.queryId()
        + " refused the call: " + refusals, Duration.ofMillis(Math.max(retryAfter, 1))));
  }

  private static QueryProgress progress(QueryActor.Reply reply) {
    if (reply instanceof QueryActor.StepMade step) {
      return new QueryProgress.StepRecorded(step.queryId(), step.step());
    }
    if (reply instanceof QueryActor.TokensStreamed tokens) {
      return new QueryProgress.TokensArrived(tokens.queryId(), tokens.attemptNo(), tokens.modelId(), tokens.text());
    }
    return new QueryProgress.Finished(((QueryActor.Completed) reply).result());
  }

  @Override
  public CompletionStage<Done> feedback(Feedback feedback) {
    if (feedback == null || feedback.queryId().isBlank() || !Double.isFinite(feedback.reward())) {
      return CompletableFuture.failedFuture(new EngineRejection(Reason.INVALID,
          "feedback needs a query id and a finite reward, got " + feedback, null));
    }
    Duration timeout = services.settings().feedbackTimeout();
    return entity(feedback.queryId())
        .<QueryActor.FeedbackOutcome>ask(replyTo -> new QueryActor.GiveFeedback(feedback, replyTo), timeout)
        .thenCompose(outcome -> outcome.unknownQuery() ? lateFeedback(feedback, outcome, timeout)
            : CompletableFuture.completedFuture(outcome))
        .handle((outcome, error) -> {
          if (error != null) {
            throw asRejection(error, "feedback for " + feedback.queryId(), timeout);
          }
          if (!outcome.accepted()) {
            throw new EngineRejection(outcome.alreadyGiven() ? Reason.CONFLICT
                : outcome.unknownQuery() ? Reason.NOT_FOUND : Reason.INVALID, outcome.message(), null);
          }
          return Done.getInstance();
        });
  }

  /**
   * A feedback for a query no entity knows (an ephemeral query's entity ends minutes after the query): every
   * learned pipeline's feedback window is asked; the one holding the query learns it. Feedback names no
   * pipeline, so all are asked at once.
   */
  private CompletionStage<QueryActor.FeedbackOutcome> lateFeedback(Feedback feedback,
      QueryActor.FeedbackOutcome unknown, Duration timeout) {
    List<CompletableFuture<QueryActor.FeedbackOutcome>> asked = services.learners().values().stream()
        .map(learner -> org.apache.pekko.actor.typed.javadsl.AskPattern
            .<Learner.Command, QueryActor.FeedbackOutcome>ask(learner,
                replyTo -> new Learner.LateFeedback(feedback, replyTo), timeout, scheduler)
            .toCompletableFuture())
        .toList();
    return CompletableFuture.allOf(asked.toArray(CompletableFuture[]::new)).handle((done, error) -> {
      List<QueryActor.FeedbackOutcome> answers = asked.stream().filter(f -> !f.isCompletedExceptionally())
          .map(CompletableFuture::join).toList();
      return answers.stream().filter(a -> a.accepted() || a.alreadyGiven()).findFirst()
          .orElse(new QueryActor.FeedbackOutcome(false, false, false, true, unknown.message()
              + " (nor in the feedback window of any learned pipeline: it ended more than"
              + " switchyard.learner.feedback-window ago, or never was)"));
    });
  }

  @Override
  public Map<String, PoolLoad> load() {
    return services.loads().snapshot();
  }

  @Override
  public CompletionStage<Long> promote(String pipeline) {
    ActorRef<Learner.Command> learner = services.learners().get(pipeline);
    if (learner == null) {
      return CompletableFuture.failedFuture(new EngineRejection(Reason.UNKNOWN_PIPELINE,
          "no learned pipeline " + pipeline, null));
    }
    Duration timeout = services.settings().promoteTimeout();
    return org.apache.pekko.actor.typed.javadsl.AskPattern
        .<Learner.Command, Learner.Promoted>ask(learner, Learner.Promote::new, timeout, scheduler)
        .handle((promoted, error) -> {
          if (error != null) {
            throw asRejection(error, "promotion of " + pipeline, timeout);
          }
          return promoted.version();
        });
  }

  @Override
  public CompletionStage<ShadowRegistry.Report> installShadow(String pipeline, String artifactJson) {
    PipelineDefinition def = pipelineNamed(pipeline);
    if (def == null) {
      return unknownPipeline(pipeline);
    }
    PolicyArtifact artifact;
    try {
      artifact = PolicyArtifact.parse("the artifact", artifactJson);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(new EngineRejection(Reason.INVALID, e.getMessage(), null, "body"));
    }
    List<PolicyArtifacts.Problem> problems = PolicyArtifacts.check(artifact, "the artifact", def.strategy().name(),
        services.modelsOf(def), def.recordedIds());
    if (!problems.isEmpty()) {
      PolicyArtifacts.Problem first = problems.get(0);
      return CompletableFuture.failedFuture(new EngineRejection(Reason.INVALID, "pipeline " + pipeline + ": "
          + first.field() + " " + first.message(), null, first.field()));
    }
    long bytes = artifactJson.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    long limit = shadowMessageLimitBytes();
    if (bytes > limit) {
      // the registry publishes the installed shadows to every node in one message: one that is too large for the
      // transport would be dropped on the way, and the other nodes would never decide with the shadow
      return CompletableFuture.failedFuture(new EngineRejection(Reason.INVALID, "the artifact is " + bytes
          + " bytes; the shadows reach every node in one message of at most " + limit + " bytes"
          + " (pekko.remote.artery.advanced.maximum-frame-size less " + SHADOW_MESSAGE_HEADROOM_BYTES / 1024
          + " KiB): raise that setting on every node, or serve this artifact as the pipeline's policy in the"
          + " configuration", null, "body"));
    }
    ShadowRegistry.Installed installed = new ShadowRegistry.Installed(pipeline, artifactJson, artifact.fingerprint(),
        services.clock().millis());
    return askRegistry(r -> new ShadowRegistry.Install(installed, r), "installing a shadow of " + pipeline);
  }

  /** Room left in a shadow publication for its envelope and the other fields. */
  private static final long SHADOW_MESSAGE_HEADROOM_BYTES = 16 * 1024;

  private long shadowMessageLimitBytes() {
    return maximumFrameBytes - SHADOW_MESSAGE_HEADROOM_BYTES;
  }

  @Override
  public CompletionStage<ShadowRegistry.Report> removeShadow(String pipeline) {
    if (pipelineNamed(pipeline) == null) {
      return unknownPipeline(pipeline);
    }
    return askRegistry(r -> new ShadowRegistry.Remove(pipeline, r), "removing the shadow of " + pipeline)
        .thenApply(report -> {
          if (report.shadow() == null) {
            throw new EngineRejection(Reason.NOT_FOUND, "pipeline " + pipeline + " has no shadow installed", null);
          }
          return report;
        });
  }

  @Override
  public CompletionStage<ShadowRegistry.Report> shadow(String pipeline) {
    if (pipelineNamed(pipeline) == null) {
      return unknownPipeline(pipeline);
    }
    return askRegistry(r -> new ShadowRegistry.GetReport(pipeline, false, r), "the shadow of " + pipeline);
  }

  @Override
  public CompletionStage<Engine.Promotion> promoteShadow(String pipeline) {
    PipelineDefinition def = pipelineNamed(pipeline);
    if (def == null) {
      return unknownPipeline(pipeline);
    }
    return askRegistry(r -> new ShadowRegistry.GetReport(pipeline, true, r), "the shadow of " + pipeline)
        .thenCompose(report -> {
          if (report.shadow() == null) {
            if (def.isLearned()) {
              return promote(pipeline).thenApply(v -> new Engine.Promotion(pipeline, "v" + v, v, null));
            }
            throw new EngineRejection(Reason.CONFLICT, "pipeline " + pipeline + " has no shadow to promote: install"
                + " one with PUT /admin/pipelines/{name}/shadow", null);
          }
          ShadowRegistry.Installed shadow = report.shadow();
          if (!def.isLearned()) {
            return recordPromotion(pipeline, shadow.fingerprint(), true, null);
          }
          PolicyArtifact artifact = PolicyArtifact.parse(shadow.fingerprint(), shadow.artifactJson());
          List<String> served = PolicyArtifacts.servedModels(artifact, services.modelsOf(def), def.recordedIds());
          var snapshot = artifact.snapshot(def.learner().get(), served, services.clock().millis());
          Duration timeout = services.settings().promoteTimeout();
          return org.apache.pekko.actor.typed.javadsl.AskPattern.<Learner.Command, Learner.Promoted>ask(
                  services.learners().get(pipeline), r -> new Learner.Adopt(snapshot, shadow.fingerprint(), r),
                  timeout, scheduler)
              .exceptionally(error -> {
                throw asRejection(error, "adopting " + shadow.fingerprint() + " in " + pipeline, timeout);
              })
              .thenCompose(adopted -> recordPromotion(pipeline, shadow.fingerprint(), false, adopted.version()));
        });
  }

  private CompletionStage<Engine.Promotion> recordPromotion(String pipeline, String fingerprint, boolean acts,
      Long version) {
    return askRegistry(r -> new ShadowRegistry.Promote(pipeline, fingerprint, acts, r), "promoting " + fingerprint)
        .thenApply(report -> {
          if (!fingerprint.equals(report.promoted())) {
            throw new EngineRejection(Reason.CONFLICT, "the shadow of " + pipeline + " was replaced or removed while"
                + " " + fingerprint + " was being promoted", null);
          }
          return new Engine.Promotion(pipeline, fingerprint, version, report.score());
        });
  }

  private PipelineDefinition pipelineNamed(String name) {
    return services.pipelines().get(name);
  }

  private static <T> CompletionStage<T> unknownPipeline(String pipeline) {
    return CompletableFuture.failedFuture(new EngineRejection(Reason.UNKNOWN_PIPELINE, "no pipeline " + pipeline,
        null));
  }

  private CompletionStage<ShadowRegistry.Report> askRegistry(
      org.apache.pekko.japi.function.Function<ActorRef<ShadowRegistry.Report>, ShadowRegistry.Command> message,
      String what) {
    Duration timeout = services.settings().promoteTimeout();
    return org.apache.pekko.actor.typed.javadsl.AskPattern.ask(services.shadowRegistry(), message, timeout, scheduler)
        .handle((report, error) -> {
          if (error != null) {
            throw asRejection(error, what, timeout);
          }
          return report;
        });
  }

  @Override
  public CompletionStage<JobActor.Accepted> submitJob(JobSpec spec) {
    if (spec == null) {
      return CompletableFuture.failedFuture(new EngineRejection(Reason.INVALID, "a job spec is required", null));
    }
    if (!services.pipelines().containsKey(spec.pipeline())) {
      return CompletableFuture.failedFuture(new EngineRejection(Reason.UNKNOWN_PIPELINE, "no pipeline named "
          + spec.pipeline() + "; known: " + services.pipelines().keySet(), null));
    }
    int maxId = services.settings().maxQueryIdLength() - JobSpec.stepQueryId("", jobSettings.maxSteps()).length();
    if (spec.id().length() > maxId) {
      return CompletableFuture.failedFuture(new EngineRejection(Reason.INVALID, "job id must be at most " + maxId
          + " characters, got " + spec.id().length(), null));
    }
    if (spec.steps().size() > jobSettings.maxSteps()) {
      return CompletableFuture.failedFuture(new EngineRejection(Reason.INVALID, "a job may have at most "
          + jobSettings.maxSteps() + " steps, got " + spec.steps().size(), null));
    }
    String what = "job " + spec.id() + " was not accepted; submit it again with the same Idempotency-Key";
    if (!journal.writable()) {
      return CompletableFuture.failedFuture(journal.unavailable(what));
    }
    Duration timeout = jobSettings.askTimeout();
    return journal.guard(JournalHealth.entity(JobActor.TYPE_KEY, spec.id()), true, what, jobEntity(spec.id())
        .<JobActor.SubmitReply>ask(replyTo -> new JobActor.Submit(spec, replyTo), timeout))
        .handle((reply, error) -> {
          if (unwrap(error) instanceof EngineRejection rejection) {
            throw rejection;
          }
          if (error != null) {
            // Not known to be journaled: never report it accepted. A retry with the same id is safe.
            throw new EngineRejection(Reason.UNAVAILABLE, "job " + spec.id() + " was not confirmed accepted within "
                + timeout + "; submit again with the same idempotency key", Duration.ofSeconds(1));
          }
          if (reply instanceof JobActor.Accepted accepted) {
            return accepted;
          }
          if (reply instanceof JobActor.Conflict conflict) {
            throw new EngineRejection(Reason.CONFLICT, conflict.message(), null);
          }
          JobActor.Refused refused = (JobActor.Refused) reply;
          throw new EngineRejection(refused.journalFailure() ? Reason.JOURNAL_UNAVAILABLE : Reason.UNAVAILABLE,
              refused.message(),
              Duration.ofMillis(Math.max(1, refused.retryAfterMillis())));
        });
  }

  @Override
  public CompletionStage<JobView> job(String jobId) {
    return askJob(jobId, JobActor.Get::new, "status of job " + jobId, false);
  }

  @Override
  public CompletionStage<JobView> cancelJob(String jobId) {
    return askJob(jobId, JobActor.Cancel::new, "cancel of job " + jobId, true);
  }

  /**
   * @param writes whether the command waits on a journal write: then refused at once while the journal cannot
   *     write (a read is refused only when the job cannot read its journal)
   */
  private CompletionStage<JobView> askJob(String jobId,
      java.util.function.Function<ActorRef<JobView>, JobActor.Command> command, String what, boolean writes) {
    if (jobId == null || jobId.isBlank() || jobId.length() > services.settings().maxQueryIdLength()) {
      return CompletableFuture.failedFuture(new EngineRejection(Reason.NOT_FOUND, "no job " + jobId, null));
    }
    String notDone = what + " was not done";
    if (writes && !journal.writable()) {
      return CompletableFuture.failedFuture(journal.unavailable(notDone));
    }
    Duration timeout = jobSettings.askTimeout();
    return journal.guard(JournalHealth.entity(JobActor.TYPE_KEY, jobId), writes, notDone,
        jobEntity(jobId).<JobView>ask(command::apply, timeout)).handle((view, error) -> {
      if (error != null) {
        throw asRejection(error, what, timeout);
      }
      if (!view.known()) {
        throw new EngineRejection(Reason.NOT_FOUND, "no job " + jobId, null);
      }
      return view;
    });
  }

  @Override
  public Source<JobUpdate, NotUsed> jobEvents(String jobId, long afterSeq) {
    if (jobId == null || jobId.isBlank() || jobId.length() > services.settings().maxQueryIdLength()) {
      return Source.failed(new EngineRejection(Reason.NOT_FOUND, "no job " + jobId, null));
    }
    Source<JobUpdate, ActorRef<JobUpdate>> source = ActorSource.actorRef(
        JobUpdate::endOfStream,
        update -> update.type().equals("not_found")
            ? Optional.of(new EngineRejection(Reason.NOT_FOUND, "no job " + jobId, null)) : Optional.empty(),
        services.settings().streamBuffer(), OverflowStrategy.fail());
    return source
        .mapMaterializedValue(ref -> {
          jobEntity(jobId).tell(new JobActor.Watch(Math.max(0, afterSeq), ref));
          return NotUsed.getInstance();
        })
        .takeWhile(update -> !update.terminal(), true);
  }

  private EntityRef<JobActor.Command> jobEntity(String jobId) {
    return services.sharding().entityRefFor(JobActor.TYPE_KEY, jobId);
  }

  /** The learner singleton of a learned pipeline (proxy), null for fixed pipelines. */
  ActorRef<Learner.Command> learner(String pipeline) {
    return services.learners().get(pipeline);
  }

  /** This node's policy view of a learned pipeline. */
  java.util.Optional<dev.switchyard.actors.learn.LocalPolicies.View> policy(String pipeline) {
    return services.policies().view(pipeline);
  }

  /** Status of a query as its entity records it (for operators and tests). */
  CompletionStage<QueryActor.Status> status(String queryId, Duration timeout) {
    return entity(queryId).ask(QueryActor.GetStatus::new, timeout);
  }

  private EntityRef<QueryActor.Command> entity(String queryId) {
    return services.sharding().entityRefFor(QueryActor.TYPE_KEY, queryId);
  }

  private Optional<EngineRejection> validate(Query query, String pipeline, Durability durability) {
    if (query == null || durability == null) {
      return Optional.of(new EngineRejection(Reason.INVALID, "a query and a durability are required", null));
    }
    if (pipeline == null || !services.pipelines().containsKey(pipeline)) {
      return Optional.of(new EngineRejection(Reason.UNKNOWN_PIPELINE, "no pipeline named " + pipeline
          + "; known: " + services.pipelines().keySet(), null));
    }
    if (query.id().isBlank() || query.id().length() > services.settings().maxQueryIdLength()) {
      return Optional.of(new EngineRejection(Reason.INVALID, "query id must be 1.."
          + services.settings().maxQueryIdLength() + " characters, got " + query.id().length(), null));
    }
    if (query.budget().deadlineMillis() < 0 || query.budget().maxCostUsd() < 0 || query.budget().maxRounds() < 0) {
      return Optional.of(new EngineRejection(Reason.INVALID, "budget values must be >= 0, got " + query.budget(),
          null));
    }
    if (query.budget().deadlineMillis() > services.settings().queryMaxDeadline().toMillis()
        || !Double.isFinite(query.budget().maxCostUsd())) {
      return Optional.of(new EngineRejection(Reason.INVALID, "a query's deadline must be at most "
          + services.settings().queryMaxDeadline() + " (switchyard.query.max-deadline) and its cost budget finite,"
          + " got " + query.budget(), null));
    }
    return unhonoured(query, pipeline);
  }

  /**
   * Refuses, before the query starts, a field no model the pipeline may call can honour (e.g. {@code tools} for a
   * pipeline over simulated replays only), rather than answer as if it had not been asked. Where only some models
   * cannot, their calls fail as client errors and the pipeline goes on with the others. A pipeline may call the
   * models it was configured with (every model of the fleet when it names none).
   */
  private Optional<EngineRejection> unhonoured(Query query, String pipeline) {
    Set<String> models = pipelines.stream().filter(p -> p.name().equals(pipeline)).findFirst()
        .filter(p -> !p.models().isEmpty()).<Set<String>>map(p -> Set.copyOf(p.models()))
        .orElse(services.modelIds());
    for (String field : query.params().fieldsGiven()) {
      boolean someoneCan = models.stream()
          .anyMatch(m -> !unhonouredFields.getOrDefault(m, Set.of()).contains(field));
      if (!someoneCan) {
        return Optional.of(new EngineRejection(Reason.UNSUPPORTED_FIELD, "'" + field + "' cannot be honoured by "
            + "pipeline " + pipeline + ": none of its models (" + String.join(", ", new java.util.TreeSet<>(
                models)) + ") is served by a backend that can (a simulated replay of recorded answers"
            + " cannot call tools or follow a response format)", null, field));
      }
    }
    return Optional.empty();
  }

  private Duration timeoutFor(Query query) {
    long deadline = query.budget().deadlineMillis();
    return deadline > 0 ? Duration.ofMillis(deadline).plus(services.settings().deadlineGrace())
        : services.settings().answerTimeout();
  }

  private static EngineRejection rejection(QueryActor.Refused refused) {
    Reason reason;
    try {
      reason = Reason.valueOf(refused.reason());
    } catch (IllegalArgumentException e) {
      reason = Reason.UNAVAILABLE;
    }
    return new EngineRejection(reason, refused.message(),
        refused.retryAfterMillis() >= 0 ? Duration.ofMillis(refused.retryAfterMillis()) : null);
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
  }

  private static RuntimeException asRejection(Throwable error, String what, Duration timeout) {
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
