package dev.switchyard.actors;

import com.esotericsoftware.kryo.Kryo;
import dev.switchyard.actors.backend.BackendRequest;
import dev.switchyard.actors.job.JobKryo;
import dev.switchyard.actors.learn.LearnKryo;
import dev.switchyard.actors.pool.PoolKryo;
import dev.switchyard.actors.query.QueryKryo;
import dev.switchyard.actors.shadow.ShadowKryo;
import dev.switchyard.actors.tenant.TenantKryo;
import dev.switchyard.protocol.serialization.KryoRegistrar;

/**
 * The actors module's messages, ids 200-399, each package registering its own beside its messages (so
 * package-private ones are registered by class literal, never by name): backend 200-209, query 210-239 and
 * 290-299, pool 240-269, learn 270-289, job 300-329, shadow 330-349, tenant 350-369. Append only: the ids are the wire format.
 */
public final class ActorsKryoRegistrar implements KryoRegistrar {
  @Override
  public void register(Kryo kryo) {
    kryo.register(BackendRequest.class, 200);
    QueryKryo.register(kryo);
    PoolKryo.register(kryo);
    LearnKryo.register(kryo);
    JobKryo.register(kryo);
    ShadowKryo.register(kryo);
    TenantKryo.register(kryo);
  }
}
