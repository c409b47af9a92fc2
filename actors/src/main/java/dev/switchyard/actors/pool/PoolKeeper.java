package dev.switchyard.actors.pool;

import dev.switchyard.protocol.ModelCard;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Wakes every model pool now and then on a timer. Pools must run even when no query calls them (they own
 * admission state and publish load), but sharding starts an entity only on a message: after a rebalance or a
 * node loss a pool would otherwise stay down until its next call. Wake is a no-op for a running pool. Once
 * the node shuts down the keeper stops: a wake sent then is buffered by the closing shard region, which waits
 * for its buffer until the phase times out (9 s of every shutdown, measured).
 */
public final class PoolKeeper {
  private PoolKeeper() {}

  public static Behavior<ModelPool.Wake> create(ClusterSharding sharding, List<ModelCard> models, Duration interval) {
    return Behaviors.setup(ctx -> {
      CoordinatedShutdown shutdown = CoordinatedShutdown.get(ctx.getSystem());
      return Behaviors.withTimers(timers -> {
        timers.startTimerWithFixedDelay(ModelPool.Wake.INSTANCE, Duration.ZERO, interval);
        return Behaviors.receiveMessage(tick -> {
          if (shutdown.getShutdownReason().isPresent()) {
            return Behaviors.stopped();
          }
          models.forEach(m -> sharding.entityRefFor(ModelPool.TYPE_KEY, m.id()).tell(ModelPool.Wake.INSTANCE));
          return Behaviors.same();
        });
      });
    });
  }
}
