package dev.switchyard.actors;

import com.esotericsoftware.kryo.Kryo;
import dev.switchyard.actors.backend.BackendRequest;
import dev.switchyard.actors.job.JobActor;
import dev.switchyard.actors.job.JobSpec;
import dev.switchyard.actors.job.JobStatus;
import dev.switchyard.actors.job.JobUpdate;
import dev.switchyard.actors.job.JobView;
import dev.switchyard.actors.learn.Learner;
import dev.switchyard.actors.learn.PolicyPublished;
import dev.switchyard.actors.pool.FailureKind;
import dev.switchyard.actors.pool.ModelPool;
import dev.switchyard.actors.pool.Worker;
import dev.switchyard.actors.query.OpenQueries;
import dev.switchyard.actors.query.QueryActor;
import dev.switchyard.protocol.serialization.KryoRegistrar;

/** The actors module's messages, ids 200-399. Append only: the ids are the wire format. */
public final class ActorsKryoRegistrar implements KryoRegistrar {
  @Override
  public void register(Kryo kryo) {
    kryo.register(BackendRequest.class, 200);
    // QueryActor 210-239
    kryo.register(QueryActor.Submit.class, 210);
    kryo.register(QueryActor.Watch.class, 211);
    kryo.register(QueryActor.GiveFeedback.class, 212);
    kryo.register(QueryActor.GetStatus.class, 213);
    kryo.register(QueryActor.Resume.class, 214);
    kryo.register(QueryActorInternals.poolReplied(), 215);
    kryo.register(QueryActorInternals.callTimedOut(), 216);
    kryo.register(QueryActorInternals.advance(), 217);
    kryo.register(QueryActorInternals.retryDue(), 218);
    kryo.register(QueryActorInternals.deadlineReached(), 219);
    kryo.register(QueryActor.StepMade.class, 220);
    kryo.register(QueryActor.Completed.class, 221);
    kryo.register(QueryActor.Refused.class, 222);
    kryo.register(QueryActor.FeedbackOutcome.class, 223);
    kryo.register(QueryActor.Status.class, 224);
    // ModelPool and Worker 240-269
    kryo.register(ModelPool.Call.class, 240);
    kryo.register(ModelPool.GetLoad.class, 241);
    kryo.register(ModelPool.Wake.class, 242);
    kryo.register(QueryActorInternals.publishTick(), 243);
    kryo.register(ModelPool.WorkerFinished.class, 244);
    kryo.register(ModelPool.CallAnswered.class, 245);
    kryo.register(ModelPool.CallFailed.class, 246);
    kryo.register(ModelPool.CallAdmitted.class, 247);
    kryo.register(Worker.Run.class, 250);
    kryo.register(QueryActorInternals.backendFinished(), 251);
    kryo.register(QueryActorInternals.load("dev.switchyard.actors.pool.ModelPool$RetryDue"), 252);
    kryo.register(QueryActorInternals.timedOut(), 253);
    kryo.register(ModelPool.TokensArrived.class, 254);
    kryo.register(QueryActorInternals.load("dev.switchyard.actors.pool.Worker$TokenArrived"), 255);
    kryo.register(QueryActorInternals.load("dev.switchyard.actors.pool.Worker$FirstTokenOverdue"), 256);
    kryo.register(FailureKind.class, 257);
    // Learner and policy board 270-289
    kryo.register(Learner.Learn.class, 270);
    kryo.register(Learner.Promote.class, 271);
    kryo.register(Learner.Promoted.class, 272);
    kryo.register(Learner.GetPolicy.class, 273);
    kryo.register(PolicyPublished.class, 274);
    kryo.register(Learner.WriteDue.class, 275);
    kryo.register(Learner.PublishDue.class, 276);
    kryo.register(Learner.LateFeedback.class, 277);
    kryo.register(Learner.SignalDue.class, 278);
    kryo.register(QueryActorInternals.load("dev.switchyard.actors.learn.Learner$SignalReply"), 287);
    kryo.register(QueryActorInternals.load("dev.switchyard.actors.learn.Learner$SignalTimedOut"), 288);
    // Open-queries registry 290-299
    kryo.register(OpenQueries.Opened.class, 290);
    kryo.register(OpenQueries.Closed.class, 291);
    kryo.register(QueryActorInternals.resumeTick(), 292);
    kryo.register(OpenQueries.Registered.class, 293);
    kryo.register(QueryActorInternals.registrationDone(), 225);
    kryo.register(QueryActor.Cancel.class, 226);
    kryo.register(QueryActorInternals.load("dev.switchyard.actors.query.QueryActor$KeepAliveDue"), 227);
    kryo.register(QueryActorInternals.load("dev.switchyard.actors.query.QueryActor$KeepAlive"), 228);
    kryo.register(QueryActorInternals.load("dev.switchyard.actors.query.QueryActor$CallUnadmitted"), 229);
    kryo.register(QueryActor.TokensStreamed.class, 230);
    kryo.register(OpenQueries.JobOpened.class, 294);
    kryo.register(OpenQueries.JobClosed.class, 295);
    // Jobs 300-329
    kryo.register(JobSpec.class, 300);
    kryo.register(JobStatus.class, 301);
    kryo.register(JobView.class, 302);
    kryo.register(JobView.StepView.class, 303);
    kryo.register(JobUpdate.class, 304);
    kryo.register(JobActor.Submit.class, 305);
    kryo.register(JobActor.Get.class, 306);
    kryo.register(JobActor.Cancel.class, 307);
    kryo.register(JobActor.Watch.class, 308);
    kryo.register(JobActor.Resume.class, 309);
    kryo.register(JobActor.Accepted.class, 310);
    kryo.register(JobActor.Conflict.class, 311);
    kryo.register(JobActor.Refused.class, 312);
    kryo.register(QueryActorInternals.load("dev.switchyard.actors.job.JobActor$StepReply"), 313);
    kryo.register(QueryActorInternals.load("dev.switchyard.actors.job.JobActor$RegistrationDone"), 314);
    kryo.register(QueryActorInternals.load("dev.switchyard.actors.job.JobActor$Advance"), 315);
  }

  /** Package-private message classes, reached by name so they stay private to their actors. */
  private static final class QueryActorInternals {
    static Class<?> poolReplied() {
      return load("dev.switchyard.actors.query.QueryActor$PoolReplied");
    }

    static Class<?> callTimedOut() {
      return load("dev.switchyard.actors.query.QueryActor$CallTimedOut");
    }

    static Class<?> advance() {
      return load("dev.switchyard.actors.query.QueryActor$Advance");
    }

    static Class<?> retryDue() {
      return load("dev.switchyard.actors.query.QueryActor$RetryDue");
    }

    static Class<?> deadlineReached() {
      return load("dev.switchyard.actors.query.QueryActor$DeadlineReached");
    }

    static Class<?> publishTick() {
      return load("dev.switchyard.actors.pool.ModelPool$PublishTick");
    }

    static Class<?> backendFinished() {
      return load("dev.switchyard.actors.pool.Worker$BackendFinished");
    }

    static Class<?> timedOut() {
      return load("dev.switchyard.actors.pool.Worker$TimedOut");
    }

    static Class<?> registrationDone() {
      return load("dev.switchyard.actors.query.QueryActor$RegistrationDone");
    }

    static Class<?> resumeTick() {
      return load("dev.switchyard.actors.query.OpenQueries$ResumeTick");
    }

    private static Class<?> load(String name) {
      try {
        return Class.forName(name);
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException("message class " + name + " is missing", e);
      }
    }
  }
}
