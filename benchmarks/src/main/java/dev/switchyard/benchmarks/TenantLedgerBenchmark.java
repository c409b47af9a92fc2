package dev.switchyard.benchmarks;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.actors.NodeConfig;
import dev.switchyard.actors.fleet.TenantSpec;
import dev.switchyard.actors.tenant.LedgerSettings;
import dev.switchyard.actors.tenant.TenantLedger;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
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
import org.openjdk.jmh.annotations.Threads;

/**
 * What a metered tenant adds to each model call, the ledger's part: a {@link TenantLedger.Reserve} asked and its
 * grant awaited (replied once journaled, group-committed with whatever else arrived meanwhile), then the
 * {@link TenantLedger.Settle} told, on one ledger entity spawned directly in a node's actor system (its
 * configuration, {@link NodeConfig#load()}) whose journal is Pekko's in-memory one: the actor, its bookkeeping
 * and the group commit, without the database round trip (with PostgreSQL or H2 that write adds its own latency,
 * shared by every call of a batch). {@code oneCaller}: calls one after the other; {@code sixteenCallers}: 16 threads
 * at once on the same tenant, as concurrent queries would be (its average time is per call of one thread).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "-Djava.util.concurrent.ForkJoinPool.common.parallelism=4"})
public class TenantLedgerBenchmark {
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);
  private ActorSystem<Void> system;
  private ActorRef<TenantLedger.Command> ledger;
  private final AtomicLong calls = new AtomicLong();

  @Setup(Level.Trial)
  public void start() {
    Config config = ConfigFactory.parseString("pekko.remote.artery.canonical.port = 0\n"
        + "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on\npekko.loglevel = WARNING\n"
        + "pekko.persistence.journal.plugin = \"pekko.persistence.journal.inmem\"\n"
        + "pekko.persistence.snapshot-store.plugin = \"\"\n")
        .withFallback(NodeConfig.load());
    system = ActorSystem.create(Behaviors.empty(), "tenant-ledger-benchmark", config);
    // a budget no call reaches, so every reservation is granted; snapshots never (no snapshot store)
    TenantSpec tenant = new TenantSpec("bench", 1e12, 0, 0, 0, List.of(), 1);
    LedgerSettings defaults = LedgerSettings.from(system.settings().config());
    LedgerSettings settings = new LedgerSettings(defaults.askTimeout(), defaults.reservationTtl(),
        defaults.expiryCheckInterval(), defaults.charsPerToken(), defaults.defaultOutputTokens(), Integer.MAX_VALUE,
        defaults.expiredKept());
    ledger = system.systemActorOf(TenantLedger.create(tenant, settings, Clock.systemUTC(),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(10), Duration.ofSeconds(1), 0)), "ledger",
        org.apache.pekko.actor.typed.Props.empty());
  }

  @TearDown(Level.Trial)
  public void stop() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private Object reserveAndSettle() throws Exception {
    String callId = "q" + calls.incrementAndGet() + "/0";
    Object reply = AskPattern.<TenantLedger.Command, TenantLedger.ReserveReply>ask(ledger,
        r -> new TenantLedger.Reserve(callId, 0.0001, 100, r), ASK_TIMEOUT, system.scheduler())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    if (!(reply instanceof TenantLedger.Granted)) {
      throw new IllegalStateException("not granted: " + reply);
    }
    ledger.tell(new TenantLedger.Settle(callId, 0.0001, 100));
    return reply;
  }

  @Benchmark
  public Object oneCaller() throws Exception {
    return reserveAndSettle();
  }

  @Benchmark
  @Threads(16)
  public Object sixteenCallers() throws Exception {
    return reserveAndSettle();
  }
}
