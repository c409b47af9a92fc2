package dev.switchyard.actors.job;

import com.esotericsoftware.kryo.Kryo;

/**
 * The Kryo ids of the job package's messages ({@link JobActor} and its views, 300-329), registered here so its
 * package-private ones stay private. Append only: the ids are the wire format.
 */
public final class JobKryo {
  private JobKryo() {}

  public static void register(Kryo kryo) {
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
    kryo.register(JobActor.StepReply.class, 313);
    kryo.register(JobActor.RegistrationDone.class, 314);
    kryo.register(JobActor.Advance.class, 315);
  }
}
