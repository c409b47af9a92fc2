package dev.switchyard.protocol.serialization;

import com.esotericsoftware.kryo.Kryo;
import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.Durability;
import dev.switchyard.protocol.Episode;
import dev.switchyard.protocol.EpisodeStep;
import dev.switchyard.protocol.Feedback;
import dev.switchyard.protocol.GenerationParams;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.PolicySnapshot;
import dev.switchyard.protocol.PoolLoad;
import dev.switchyard.protocol.Query;
import dev.switchyard.protocol.QueryResult;
import dev.switchyard.protocol.Response;
import dev.switchyard.protocol.Stage;

/** The protocol's records, ids 100-199. Append only. */
public final class ProtocolKryoRegistrar implements KryoRegistrar {
  @Override
  public void register(Kryo kryo) {
    kryo.register(ChatMessage.class, 100);
    kryo.register(Budget.class, 101);
    kryo.register(Query.class, 102);
    kryo.register(ModelCard.class, 103);
    kryo.register(Response.class, 104);
    kryo.register(PoolLoad.class, 105);
    kryo.register(Stage.class, 106);
    kryo.register(EpisodeStep.class, 107);
    kryo.register(Episode.class, 108);
    kryo.register(Feedback.class, 109);
    kryo.register(PolicySnapshot.class, 110);
    kryo.register(Durability.class, 111);
    kryo.register(QueryResult.class, 112);
    kryo.register(GenerationParams.class, 113);
  }
}
