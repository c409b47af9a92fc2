package dev.switchyard.actors.query;

import com.esotericsoftware.kryo.Kryo;

/**
 * The Kryo ids of the query package's messages ({@link QueryActor} 210-239, {@link OpenQueries} 290-299),
 * registered here so its package-private ones stay private. Append only: the ids are the wire format.
 */
public final class QueryKryo {
  private QueryKryo() {}

  public static void register(Kryo kryo) {
    kryo.register(QueryActor.Submit.class, 210);
    kryo.register(QueryActor.Watch.class, 211);
    kryo.register(QueryActor.GiveFeedback.class, 212);
    kryo.register(QueryActor.GetStatus.class, 213);
    kryo.register(QueryActor.Resume.class, 214);
    kryo.register(QueryActor.PoolReplied.class, 215);
    kryo.register(QueryActor.CallTimedOut.class, 216);
    kryo.register(QueryActor.Advance.class, 217);
    kryo.register(QueryActor.RetryDue.class, 218);
    kryo.register(QueryActor.DeadlineReached.class, 219);
    kryo.register(QueryActor.StepMade.class, 220);
    kryo.register(QueryActor.Completed.class, 221);
    kryo.register(QueryActor.Refused.class, 222);
    kryo.register(QueryActor.FeedbackOutcome.class, 223);
    kryo.register(QueryActor.Status.class, 224);
    kryo.register(QueryActor.RegistrationDone.class, 225);
    kryo.register(QueryActor.Cancel.class, 226);
    kryo.register(QueryActor.KeepAliveDue.class, 227);
    kryo.register(QueryActor.KeepAlive.class, 228);
    kryo.register(QueryActor.CallUnadmitted.class, 229);
    kryo.register(QueryActor.TokensStreamed.class, 230);
    kryo.register(QueryActor.PassivateFinished.class, 231);
    kryo.register(QueryActor.AdmittingPoolStopped.class, 232);
    kryo.register(QueryActor.Stop.class, 233);
    kryo.register(QueryActor.LedgerReplied.class, 234);

    kryo.register(OpenQueries.Opened.class, 290);
    kryo.register(OpenQueries.Closed.class, 291);
    kryo.register(OpenQueries.ResumeTick.class, 292);
    kryo.register(OpenQueries.Registered.class, 293);
    kryo.register(OpenQueries.JobOpened.class, 294);
    kryo.register(OpenQueries.JobClosed.class, 295);
    kryo.register(OpenQueries.MemberRemoved.class, 296);
    kryo.register(OpenQueries.ResumeAfterRemoval.class, 297);
  }
}
