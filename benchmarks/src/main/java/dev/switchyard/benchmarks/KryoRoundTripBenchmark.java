package dev.switchyard.benchmarks;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.actors.ActorsKryoRegistrar;
import dev.switchyard.actors.NodeConfig;
import dev.switchyard.actors.learn.Learner;
import dev.switchyard.actors.pool.ModelPool;
import dev.switchyard.actors.query.QueryActor;
import dev.switchyard.protocol.serialization.KryoSerializer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Serialize then deserialize, through the serializer a running node picks, of the messages that cross nodes on
 * one query's path: the pool call (QueryActor to ModelPool, admitted or refused there), the model's answer
 * (ModelPool to QueryActor), the query's completion (QueryActor to the HTTP front end) and the episode sent to
 * the learner singleton. The serializer comes from Pekko serialization of an actor system started with the
 * node's configuration ({@link NodeConfig#load()}: every module's registrars, registration required), so ids,
 * ActorRef handling and pooling are the node's. Message contents come from a recorded query ({@link OneQueryPath}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "-Djava.util.concurrent.ForkJoinPool.common.parallelism=4"})
public class KryoRoundTripBenchmark {
  private ActorSystem<Void> system;
  private KryoSerializer kryo;
  private ModelPool.Call poolCall;
  private ModelPool.CallAnswered modelAnswer;
  private QueryActor.Completed queryCompleted;
  private Learner.Learn episode;

  /** The node's actor system, with the remote port chosen freely so that it can start beside a running node. */
  public static ActorSystem<Void> nodeSystem(String name) {
    Config config = ConfigFactory.parseString("pekko.remote.artery.canonical.port = 0\n"
        + "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on\npekko.loglevel = WARNING")
        .withFallback(NodeConfig.load());
    return ActorSystem.create(Behaviors.empty(), name, config);
  }

  @Setup(Level.Trial)
  public void start() {
    system = nodeSystem("kryo-benchmark");
    try {
      bindMessages();
    } catch (RuntimeException e) {
      // a running actor system would keep the failed fork alive until JMH gives up on it
      system.terminate();
      throw e;
    }
  }

  private void bindMessages() {
    List<String> registrars = KryoSerializer.registrarNames(system.settings().config());
    if (!registrars.contains(ActorsKryoRegistrar.class.getName())) {
      throw new IllegalStateException("switchyard.kryo.registrars is " + registrars + ", without "
          + ActorsKryoRegistrar.class.getName());
    }
    Serialization serialization = SerializationExtension.get(Adapter.toClassic(system));
    OneQueryPath path = OneQueryPath.fromRecorded(RecordedData.dataset());
    // a real actor's ref, as the query actor's replyTo is: its path is resolved again on every read
    ActorRef<Object> queryActor = system.systemActorOf(Behaviors.ignore(), "query-actor", Props.empty());
    poolCall = new ModelPool.Call(path.request(), queryActor.unsafeUpcast(), 2_000);
    modelAnswer = new ModelPool.CallAnswered(path.request().attemptId(), path.answer());
    queryCompleted = new QueryActor.Completed(path.result());
    episode = new Learner.Learn(path.episode());
    Object[] messages = {poolCall, modelAnswer, queryCompleted, episode};
    for (Object m : messages) {
      if (!(serialization.findSerializerFor(m) instanceof KryoSerializer k)) {
        throw new IllegalStateException(m.getClass().getName() + " is not bound to the Kryo serializer");
      }
      kryo = k;
      // the wire size beside the time (shown in the fork's output)
      System.out.println(m.getClass().getName() + ": " + kryo.toBinary(m).length + " bytes");
    }
  }

  @TearDown(Level.Trial)
  public void stop() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private Object roundTrip(Object message) {
    return kryo.fromBinary(kryo.toBinary(message), "");
  }

  @Benchmark
  public Object poolCall() {
    return roundTrip(poolCall);
  }

  @Benchmark
  public Object modelAnswer() {
    return roundTrip(modelAnswer);
  }

  @Benchmark
  public Object queryCompleted() {
    return roundTrip(queryCompleted);
  }

  @Benchmark
  public Object episode() {
    return roundTrip(episode);
  }
}
