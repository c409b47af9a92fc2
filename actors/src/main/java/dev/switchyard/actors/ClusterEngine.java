package dev.switchyard.actors;

import static dev.switchyard.actors.EngineRefusals.asRejection;
import static dev.switchyard.actors.EngineRefusals.overloaded;
import static dev.switchyard.actors.EngineRefusals.rejection;
import static dev.switchyard.actors.EngineRefusals.unwrap;

import dev.switchyard.actors.EngineRejection.Reason;
import dev.switchyard.actors.job.JobActor;
import dev.switchyard.actors.job.JobSettings;
import dev.switchyard.actors.job.JobSpec;
import dev.switchyard.actors.job.JobUpdate;
import dev.switchyard.actors.job.JobView;
import dev.switchyard.actors.journal.JournalHealth;
import dev.switchyard.actors.journal.JournalStatus;
import dev.switchyard.actors.learn.Learner;
import dev.switchyard.actors.learn.LocalPolicies;
import dev.switchyard.actors.query.QueryActor;
import dev.switchyard.protocol.Durability;
import dev.switchyard.protocol.Episode;
import dev.switchyard.protocol.Feedback;
import dev.switchyard.protocol.PoolLoad;
import dev.switchyard.protocol.Query;
import dev.switchyard.protocol.QueryResult;
import dev.switchyard.actors.shadow.ShadowRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
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
 * a caller still waiting when it goes down (or when the entity cannot read its journal) is refused then. Queries
 * and feedback are asked here, a metered tenant's requests once its ledger admits them; jobs go through {@link JobOperations}, shadows through {@link ShadowOperations},
 * and all three refuse in the terms of {@link EngineRefusals}.
 */
final class ClusterEngine implements Engine {
  private final NodeServices services;
  private final List<PipelineDefinition> pipelines;
  private final org.apache.pekko.actor.typed.Scheduler scheduler;
  private final JournalHealth journal;
  /** Per model id, the request fields its backends on this node cannot honour. */
  private final Map<String, Set<String>> unhonouredFields;
  private final ShadowOperations shadows;
  private final JobOperations jobs;

  /**
   * @param unhonouredFields per model id, the request fields its backends cannot honour
   *     ({@link dev.switchyard.actors.backend.InferenceBackend#unhonouredFields()})
   * @param maximumFrameBytes the transport's largest message: what an installed shadow must fit in
   */
  ClusterEngine(NodeServices services, List<PipelineDefinition> pipelines,
      org.apache.pekko.actor.typed.Scheduler scheduler, JobSettings jobSettings, JournalHealth journal,
      Map<String, Set<String>> unhonouredFields, long maximumFrameBytes) {
    this.unhonouredFields = Map.copyOf(unhonouredFields);
    this.services = services;
    this.pipelines = List.copyOf(pipelines);
    this.scheduler = scheduler;
    this.journal = journal;
    this.shadows = new ShadowOperations(services, scheduler, maximumFrameBytes, this::promote);
    this.jobs = new JobOperations(services, jobSettings, journal);
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
    return answer(query, pipeline, durability, null);
  }

  @Override
  public CompletionStage<QueryResult> answer(Query query, String pipeline, Durability durability,
      String traceparent) {
    Optional<EngineRejection> invalid = validate(query, pipeline, durability);
    if (invalid.isPresent()) {
      return CompletableFuture.failedFuture(invalid.get());
    }
    if (services.tenants().metered(query.tenant()).isPresent()) {
      return services.tenants().admit(query.tenant())
          .thenCompose(admitted -> ask(query, pipeline, durability, traceparent));
    }
    return ask(query, pipeline, durability, traceparent);
  }

  /** {@link #answer} of a valid query its tenant's ledger admitted. */
  private CompletionStage<QueryResult> ask(Query query, String pipeline, Durability durability,
      String traceparent) {
    Duration timeout = timeoutFor(query);
    boolean durable = durability == Durability.DURABLE;
    String what = "durable query " + query.id() + " was not answered";
    if (durable && !journal.writable()) {
      return CompletableFuture.failedFuture(journal.unavailable(what + " (not accepted)"));
    }
    CompletionStage<QueryActor.Reply> asked = entity(query.id())
        .ask(replyTo -> new QueryActor.Submit(query, pipeline, durability, false, false, replyTo, traceparent),
            timeout);
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
    return answerStreaming(query, pipeline, durability, null);
  }

  @Override
  public Source<QueryProgress, NotUsed> answerStreaming(Query query, String pipeline, Durability durability,
      String traceparent) {
    Optional<EngineRejection> invalid = validate(query, pipeline, durability);
    if (invalid.isPresent()) {
      return Source.failed(invalid.get());
    }
    if (services.tenants().metered(query.tenant()).isPresent()) {
      return Source.completionStage(services.tenants().admit(query.tenant()).thenApply(admitted -> NotUsed.getInstance()))
          .flatMapConcat(admitted -> stream(query, pipeline, durability, traceparent));
    }
    return stream(query, pipeline, durability, traceparent);
  }

  /** {@link #answerStreaming} of a valid query its tenant's ledger admitted. */
  private Source<QueryProgress, NotUsed> stream(Query query, String pipeline, Durability durability,
      String traceparent) {
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
          entity(query.id()).tell(new QueryActor.Submit(query, pipeline, durability, true, true, ref, traceparent));
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
  public List<Episode> recentEpisodes() {
    return services.recentEpisodes().newestFirst();
  }

  @Override
  public CompletionStage<Long> promote(String pipeline) {
    return askLearner(pipeline, Learner.Promote::new, "promotion of " + pipeline).thenApply(Learner.Promoted::version);
  }

  @Override
  public CompletionStage<PolicyReport> policyReport(String pipeline) {
    return askLearner(pipeline, Learner.GetPolicy::new, "the policy of " + pipeline).thenApply(learned -> {
      LocalPolicies.View here = services.policies().view(pipeline).orElseThrow();
      return new PolicyReport(pipeline, here.activeVersion(), here.candidateVersion(), learned);
    });
  }

  /** Asks a learned pipeline's learner within {@code promote-timeout}; {@code UNKNOWN_PIPELINE} if none learns. */
  private <R> CompletionStage<R> askLearner(String pipeline,
      java.util.function.Function<ActorRef<R>, Learner.Command> ask, String what) {
    ActorRef<Learner.Command> learner = services.learners().get(pipeline);
    if (learner == null) {
      return CompletableFuture.failedFuture(new EngineRejection(Reason.UNKNOWN_PIPELINE,
          "no learned pipeline " + pipeline, null));
    }
    Duration timeout = services.settings().promoteTimeout();
    return org.apache.pekko.actor.typed.javadsl.AskPattern.<Learner.Command, R>ask(learner, ask::apply, timeout,
            scheduler)
        .handle((reply, error) -> {
          if (error != null) {
            throw asRejection(error, what, timeout);
          }
          return reply;
        });
  }

  @Override
  public CompletionStage<ShadowRegistry.Report> installShadow(String pipeline, String artifactJson) {
    return shadows.install(pipeline, artifactJson);
  }

  @Override
  public CompletionStage<ShadowRegistry.Report> removeShadow(String pipeline) {
    return shadows.remove(pipeline);
  }

  @Override
  public CompletionStage<ShadowRegistry.Report> shadow(String pipeline) {
    return shadows.report(pipeline);
  }

  @Override
  public CompletionStage<Engine.Promotion> promoteShadow(String pipeline) {
    return shadows.promote(pipeline);
  }

  @Override
  public CompletionStage<JobActor.Accepted> submitJob(JobSpec spec) {
    if (spec != null && services.tenants().metered(spec.tenant()).isPresent()) {
      return services.tenants().admit(spec.tenant()).thenCompose(admitted -> jobs.submit(spec));
    }
    return jobs.submit(spec);
  }

  @Override
  public CompletionStage<List<TenantUsage>> tenantUsage() {
    return services.tenants().usage();
  }

  @Override
  public CompletionStage<JobView> job(String jobId) {
    return jobs.status(jobId);
  }

  @Override
  public CompletionStage<JobView> cancelJob(String jobId) {
    return jobs.cancel(jobId);
  }

  @Override
  public Source<JobUpdate, NotUsed> jobEvents(String jobId, long afterSeq) {
    return jobs.events(jobId, afterSeq);
  }

  /** The learner singleton of a learned pipeline (proxy), null for fixed pipelines. */
  ActorRef<Learner.Command> learner(String pipeline) {
    return services.learners().get(pipeline);
  }

  /** This node's policy view of a learned pipeline. */
  java.util.Optional<LocalPolicies.View> policy(String pipeline) {
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
}
