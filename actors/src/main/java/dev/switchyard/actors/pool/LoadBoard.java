package dev.switchyard.actors.pool;

import dev.switchyard.protocol.PoolLoad;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * This node's view of every pool's load: subscribes to the load topic and keeps the newest {@link PoolLoad} per
 * model in a map that QueryActors and the engine facade read without a message hop. An older publication (by
 * timestamp, e.g. from a pool that has since moved) never replaces a newer one.
 */
public final class LoadBoard {
  private final Map<String, PoolLoad> latest = new ConcurrentHashMap<>();

  public Map<String, PoolLoad> snapshot() {
    return Map.copyOf(latest);
  }

  void offer(PoolLoad load) {
    latest.merge(load.modelId(), load, (old, now) -> now.timestampMillis() >= old.timestampMillis() ? now : old);
  }

  /** The subscriber actor feeding this board. */
  public Behavior<PoolLoad> subscriber(ActorRef<Topic.Command<PoolLoad>> topic) {
    return Behaviors.setup(ctx -> {
      topic.tell(Topic.subscribe(ctx.getSelf()));
      return Behaviors.receiveMessage(load -> {
        offer(load);
        return Behaviors.same();
      });
    });
  }
}
