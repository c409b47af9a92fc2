package dev.switchyard.actors.learn;

import com.esotericsoftware.kryo.Kryo;

/**
 * The Kryo ids of the learn package's messages ({@link Learner} and the policy board, 270-289), registered here
 * so its package-private ones stay private. Append only: the ids are the wire format.
 */
public final class LearnKryo {
  private LearnKryo() {}

  public static void register(Kryo kryo) {
    kryo.register(Learner.Learn.class, 270);
    kryo.register(Learner.Promote.class, 271);
    kryo.register(Learner.Promoted.class, 272);
    kryo.register(Learner.GetPolicy.class, 273);
    kryo.register(PolicyPublished.class, 274);
    kryo.register(Learner.WriteDue.class, 275);
    kryo.register(Learner.PublishDue.class, 276);
    kryo.register(Learner.LateFeedback.class, 277);
    kryo.register(Learner.SignalDue.class, 278);
    kryo.register(Learner.Adopt.class, 279);
    kryo.register(Learner.StartDue.class, 280);
    kryo.register(Learner.SignalReply.class, 287);
    kryo.register(Learner.SignalTimedOut.class, 288);
    kryo.register(Learner.PublicationReplicated.class, 289); // local (a message adapter), as SignalReply
  }
}
