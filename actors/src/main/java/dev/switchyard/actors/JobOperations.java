package dev.switchyard.actors;

import static dev.switchyard.actors.EngineRefusals.asRejection;
import static dev.switchyard.actors.EngineRefusals.unwrap;

import dev.switchyard.actors.EngineRejection.Reason;
import dev.switchyard.actors.job.JobActor;
import dev.switchyard.actors.job.JobSettings;
import dev.switchyard.actors.job.JobSpec;
import dev.switchyard.actors.job.JobUpdate;
import dev.switchyard.actors.job.JobView;
import dev.switchyard.actors.journal.JournalHealth;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSource;

/**
 * The engine's job operations ({@link Engine#submitJob}, {@link Engine#job}, {@link Engine#cancelJob},
 * {@link Engine#jobEvents}) on one node: validates, then asks the job's sharded entity with
 * {@code switchyard.job.ask-timeout}. A submit or cancel waits on a journal write, so it is refused at once
 * ({@code JOURNAL_UNAVAILABLE}) while {@link JournalHealth} says the journal cannot write; a submit not confirmed
 * in time is UNAVAILABLE, never reported accepted, and safe to send again with the same id.
 */
final class JobOperations {
  private final NodeServices services;
  private final JobSettings jobSettings;
  private final JournalHealth journal;

  JobOperations(NodeServices services, JobSettings jobSettings, JournalHealth journal) {
    this.services = services;
    this.jobSettings = jobSettings;
    this.journal = journal;
  }

  CompletionStage<JobActor.Accepted> submit(JobSpec spec) {
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

  CompletionStage<JobView> status(String jobId) {
    return askJob(jobId, JobActor.Get::new, "status of job " + jobId, false);
  }

  CompletionStage<JobView> cancel(String jobId) {
    return askJob(jobId, JobActor.Cancel::new, "cancel of job " + jobId, true);
  }

  /**
   * @param writes whether the command waits on a journal write: then refused at once while the journal cannot
   *     write (a read is refused only when the job cannot read its journal)
   */
  private CompletionStage<JobView> askJob(String jobId, Function<ActorRef<JobView>, JobActor.Command> command,
      String what, boolean writes) {
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

  Source<JobUpdate, NotUsed> events(String jobId, long afterSeq) {
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
}
