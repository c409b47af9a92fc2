package dev.switchyard.actors.query;

import dev.switchyard.actors.NodeServices;
import dev.switchyard.actors.pool.ModelPool;
import dev.switchyard.protocol.CrossNode;
import dev.switchyard.protocol.Durability;
import dev.switchyard.protocol.EpisodeStep;
import dev.switchyard.protocol.Feedback;
import dev.switchyard.protocol.Query;
import dev.switchyard.protocol.QueryResult;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * One query (sharded entity {@code query}, entity id = query id, which is also the idempotency key). The first
 * message decides the mode: an {@code EPHEMERAL} {@link Submit} makes the entity an in-memory driver
 * ({@link EphemeralQuery}); anything else (a durable submit, a resume from the open-queries registry, a status
 * or feedback request for an id this incarnation has not seen) starts the event-sourced driver
 * ({@link DurableQuery}) as a child, which recovers whatever the journal holds for this id, and the entity
 * forwards to it. A repeated submit joins the running query or gets the recorded result.
 */
public final class QueryActor {
  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "query");

  private QueryActor() {}

  public interface Command extends CrossNode {}

  /**
   * Run (or join) the query. {@code replyTo} receives {@link Completed} or {@link Refused}; with {@code stream}
   * it first receives every recorded step as {@link StepMade}, and with {@code tokens} also the answer's text as
   * {@link TokensStreamed} while a model generates it, where the pipeline takes that model's answer as it comes
   * (a passthrough, a fallback chain, a router that does not verify). {@code traceparent} is the W3C trace context
   * of the request that asked (null when it is not traced): the query's model calls carry it, so that each
   * upstream attempt's span is a child of the request's span on whichever node the pool runs. It is not
   * journaled: a durable query resumed after a crash calls without it.
   */
  public record Submit(Query query, String pipeline, Durability durability, boolean stream, boolean tokens,
      ActorRef<Reply> replyTo, String traceparent) implements Command {
    public Submit {
      Objects.requireNonNull(query, "query");
      Objects.requireNonNull(pipeline, "pipeline");
      Objects.requireNonNull(durability, "durability");
      Objects.requireNonNull(replyTo, "replyTo");
    }

    /** A submit of an untraced request. */
    public Submit(Query query, String pipeline, Durability durability, boolean stream, boolean tokens,
        ActorRef<Reply> replyTo) {
      this(query, pipeline, durability, stream, tokens, replyTo, null);
    }

    /** A submit that takes no tokens. */
    public Submit(Query query, String pipeline, Durability durability, boolean stream, ActorRef<Reply> replyTo) {
      this(query, pipeline, durability, stream, false, replyTo);
    }
  }

  /** Stream the recorded steps (from the first) and the result to {@code watcher}. */
  public record Watch(ActorRef<Reply> watcher) implements Command {}

  public record GiveFeedback(Feedback feedback, ActorRef<FeedbackOutcome> replyTo) implements Command {}

  public record GetStatus(ActorRef<Status> replyTo) implements Command {}

  /**
   * Stop before the next model call (a call in flight is still recorded), then end with the best answer so far.
   * Idempotent; a no-op for a finished query. Durable queries only (jobs run their steps durably).
   */
  public record Cancel(String reason) implements Command {}

  /** From the open-queries registry: continue if unfinished (no-op when running or finished). */
  public enum Resume implements Command { INSTANCE }

  record PoolReplied(ModelPool.CallResult result) implements Command {}

  record CallTimedOut(int attemptNo) implements Command {}

  /** The tenant's ledger answered the reservation of call {@code attemptNo} ({@code reply} null: {@code error}). */
  record LedgerReplied(int attemptNo, dev.switchyard.actors.tenant.TenantLedger.ReserveReply reply, String error)
      implements Command {}

  /** The pool that admitted call {@code attemptNo} stopped (its node left the cluster): no answer will come. */
  record AdmittingPoolStopped(int attemptNo) implements Command {}

  /** The pool has not acknowledged call {@code attemptNo} in time: send it again. */
  record CallUnadmitted(int attemptNo) implements Command {}

  enum Advance implements Command { INSTANCE }

  /** The open-queries registry answered (or not) the registration of a new durable query. */
  record RegistrationDone(boolean registered) implements Command {}

  enum RetryDue implements Command { INSTANCE }

  enum DeadlineReached implements Command { INSTANCE }

  /** Timer of a running query: time to send itself a {@link KeepAlive} through its shard. */
  enum KeepAliveDue implements Command { INSTANCE }

  /**
   * Sent by a running query to itself through its shard, which counts it as activity: idle passivation sees only
   * messages delivered by the shard, never a pool's reply or a timer, so a query waiting on long calls would
   * otherwise be passivated mid-run. A no-op on arrival.
   */
  enum KeepAlive implements Command { INSTANCE }

  /**
   * Timer of a finished ephemeral query: time to ask its shard to passivate it
   * ({@code switchyard.query.passivate-finished-ephemeral-after}).
   */
  enum PassivateFinished implements Command { INSTANCE }

  /**
   * Sharding's stop message for a passivated query entity. A query entity never stops by itself: one that has
   * nothing to do (an id nobody submitted, a registration refused) asks its shard to passivate it, because
   * messages sent to an entity that stopped by itself, before its shard saw it end, are lost, where the shard
   * holds those sent during a passivation for the next incarnation. A status read followed at once by a feedback
   * for an ended query lost the feedback that way (its caller waited out {@code feedback-timeout}).
   */
  enum Stop implements Command { INSTANCE }

  /** What submitters and watchers receive. */
  public sealed interface Reply extends CrossNode {}

  /** Step number {@code seq} (0-based, in recording order) of the query. */
  public record StepMade(String queryId, int seq, EpisodeStep step) implements Reply {}

  /**
   * A piece of the answer of call {@code attemptNo} as its model generated it: the pieces of one call, in
   * {@code seq} order, are a prefix of that call's answer; the {@link Completed} result holds the whole answer.
   */
  public record TokensStreamed(String queryId, int attemptNo, String modelId, int seq, String text)
      implements Reply {}

  public record Completed(QueryResult result) implements Reply {}

  /** @param reason an {@code EngineRejection.Reason} name */
  public record Refused(String reason, String message, long retryAfterMillis) implements Reply {}

  /**
   * @param accepted the reward was recorded
   * @param alreadyGiven refused because the query already has a reward and the feedback did not ask to replace it
   * @param learned the learner was given the reward (false for a replacement: a query is learned from once)
   * @param unknownQuery refused because no query of that id is known here (its entity ended, or there never was
   *     one): the pipelines' feedback windows may still know it
   */
  public record FeedbackOutcome(boolean accepted, boolean alreadyGiven, boolean learned, boolean unknownQuery,
      String message) implements CrossNode {
    static FeedbackOutcome refused(String message) {
      return new FeedbackOutcome(false, false, false, false, message);
    }

    static FeedbackOutcome unknown(String message) {
      return new FeedbackOutcome(false, false, false, true, message);
    }
  }

  /**
   * @param known false when no query with this id exists
   * @param pendingAttemptId the call in flight, null if none
   */
  public record Status(String queryId, boolean known, boolean durable, boolean finished, List<EpisodeStep> steps,
      int attempts, String pendingAttemptId, QueryResult result) implements CrossNode {
    public Status {
      steps = List.copyOf(steps);
    }
  }

  /** Starts this node's part of the {@code query} sharding; an idle entity is passivated after a while. */
  public static void initSharding(ActorSystem<?> system, NodeServices services) {
    ClusterSharding.get(system).init(Entity.of(TYPE_KEY, ctx -> create(ctx.getEntityId(), ctx.getShard(), services))
        .withStopMessage(Stop.INSTANCE)
        .withSettings(idlePassivation(system, services.settings().queryPassivateAfterIdle())));
  }

  /** Sharding settings that passivate an entity idle for {@code after}. */
  public static ClusterShardingSettings idlePassivation(ActorSystem<?> system, Duration after) {
    return ClusterShardingSettings.create(system).withPassivationStrategy(
        ClusterShardingSettings.PassivationStrategySettings$.MODULE$.defaults().withIdleEntityPassivation(after));
  }

  /** @param shard the entity's shard, asked to passivate a finished ephemeral query */
  public static Behavior<Command> create(String queryId, ActorRef<ClusterSharding.ShardCommand> shard,
      NodeServices services) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> Behaviors.receive(Command.class)
        .onMessage(Command.class, first -> start(ctx, timers, queryId, shard, services, first))
        .build()));
  }

  private static Behavior<Command> start(ActorContext<Command> ctx, TimerScheduler<Command> timers, String queryId,
      ActorRef<ClusterSharding.ShardCommand> shard, NodeServices services, Command first) {
    if (first instanceof Submit submit && submit.durability() == Durability.EPHEMERAL) {
      return new EphemeralQuery(ctx, timers, queryId, shard, services).start(submit);
    }
    Runnable passivate = () -> shard.tell(new ClusterSharding.Passivate<>(ctx.getSelf()));
    ActorRef<Command> durable = ctx.spawn(DurableQuery.create(queryId, services, passivate), "durable");
    ctx.watch(durable);
    durable.tell(first);
    // Stop too goes through the child, after the messages forwarded before it, and ends it; then this ends.
    return Behaviors.receive(Command.class)
        .onMessage(Command.class, m -> {
          durable.tell(m);
          return Behaviors.same();
        })
        .onSignal(Terminated.class, t -> Behaviors.stopped())
        .build();
  }
}
