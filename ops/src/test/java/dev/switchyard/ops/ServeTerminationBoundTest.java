package dev.switchyard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.simulator.cli.ExitCode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;

/**
 * {@code serve} waits for its actor system to terminate once the coordinated shutdown has started, but not forever:
 * a termination that never completes (Artery over aeron-udp waiting for streams that never complete, as an actor
 * stuck in its {@code PostStop} here) ends the process after the shutdown's total timeout.
 */
class ServeTerminationBoundTest {
  /** Short phases, and no JVM hook: the test's JVM is not the one being stopped. */
  private static final Config SHORT_SHUTDOWN = ConfigFactory.parseString("""
      pekko.coordinated-shutdown.default-phase-timeout = 300ms
      pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
      pekko.coordinated-shutdown.phases.actor-system-terminate.timeout = 300ms
      """).withFallback(ConfigFactory.load());

  @Test
  void aTerminationThatNeverCompletesEndsTheProcessOnceTheShutdownsTotalTimeoutHasPassed() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Behavior<Void> stuckOnStop = Behaviors.setup(ctx -> {
      ctx.spawn(Behaviors.receive(Void.class).onSignal(PostStop.class, signal -> {
        release.await(); // holds the termination until the test lets go
        return Behaviors.same();
      }).build(), "stuck-in-post-stop");
      return Behaviors.empty();
    });
    ActorSystem<Void> system = ActorSystem.create(stuckOnStop, "stuck", SHORT_SHUTDOWN);
    try {
      CompletableFuture<Void> started = ServeCommand.shutdownStarted(system);
      StringWriter err = new StringWriter();
      CompletableFuture<Integer> exited = new CompletableFuture<>();
      CompletableFuture<Integer> returned = CompletableFuture.supplyAsync(() -> {
        try {
          return ServeCommand.awaitTermination(system, started, new PrintWriter(err, true), exited::complete);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      CoordinatedShutdown.get(system).run(CoordinatedShutdown.unknownReason());
      assertEquals(ExitCode.FAILED, exited.get(60, TimeUnit.SECONDS));
      assertEquals(ExitCode.FAILED, returned.get(10, TimeUnit.SECONDS));
      assertFalse(system.getWhenTerminated().toCompletableFuture().isDone(), "the system was meant to be stuck");
      assertTrue(err.toString().contains("had not terminated") && err.toString().contains("after its shutdown"),
          err.toString());
    } finally {
      release.countDown();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void aTerminationThatCompletesReturnsOkWithoutForcingTheExit() throws Exception {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "stops", SHORT_SHUTDOWN);
    CompletableFuture<Void> started = ServeCommand.shutdownStarted(system);
    CompletableFuture<Integer> exited = new CompletableFuture<>();
    CompletableFuture<Integer> returned = CompletableFuture.supplyAsync(() -> {
      try {
        return ServeCommand.awaitTermination(system, started, new PrintWriter(new StringWriter()), exited::complete);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    CoordinatedShutdown.get(system).run(CoordinatedShutdown.unknownReason());
    assertEquals(ExitCode.OK, returned.get(60, TimeUnit.SECONDS));
    assertFalse(exited.isDone(), "a clean termination must not force the exit");
  }
}
