package dev.switchyard.actors.pool;

import com.esotericsoftware.kryo.Kryo;

/**
 * The Kryo ids of the pool package's messages ({@link ModelPool} and {@link Worker}, 240-269), registered here so
 * its package-private ones stay private. Append only: the ids are the wire format.
 */
public final class PoolKryo {
  private PoolKryo() {}

  public static void register(Kryo kryo) {
    kryo.register(ModelPool.Call.class, 240);
    kryo.register(ModelPool.GetLoad.class, 241);
    kryo.register(ModelPool.Wake.class, 242);
    kryo.register(ModelPool.PublishTick.class, 243);
    kryo.register(ModelPool.WorkerFinished.class, 244);
    kryo.register(ModelPool.CallAnswered.class, 245);
    kryo.register(ModelPool.CallFailed.class, 246);
    kryo.register(ModelPool.CallAdmitted.class, 247);
    kryo.register(Worker.Run.class, 250);
    kryo.register(Worker.BackendFinished.class, 251);
    kryo.register(ModelPool.RetryDue.class, 252);
    kryo.register(Worker.TimedOut.class, 253);
    kryo.register(ModelPool.TokensArrived.class, 254);
    kryo.register(Worker.TokenArrived.class, 255);
    kryo.register(Worker.FirstTokenOverdue.class, 256);
    kryo.register(FailureKind.class, 257);
    kryo.register(ModelPool.QueueWaitDue.class, 258);
  }
}
