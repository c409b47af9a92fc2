package dev.switchyard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.Optional;
import org.apache.pekko.actor.ActorSystem;
import org.junit.jupiter.api.Test;

/** SWITCHYARD_LOG_LEVEL means the same level to Logback and to Pekko, in either spelling of warnings. */
class LogLevelTest {

  @Test
  void bothSpellingsOfWarningsAreWarnToLogbackAndAnUnknownNameIsRefusedNamingTheVariable() {
    assertEquals(Optional.of("WARN"), LogLevel.logback("WARNING"));
    assertEquals(Optional.of("WARN"), LogLevel.logback("warn"));
    assertEquals(Optional.of("DEBUG"), LogLevel.logback("debug"));
    assertEquals(Optional.empty(), LogLevel.problem(null));
    assertEquals(Optional.empty(), LogLevel.problem("WARNING"));
    String problem = LogLevel.problem("LOUD").orElseThrow();
    assertTrue(problem.startsWith("SWITCHYARD_LOG_LEVEL must be one of"), problem);
    assertTrue(problem.contains("'LOUD'"), problem);
  }

  @Test
  void pekkoGetsWarningsInItsSpellingWhicheverIsGiven() throws Exception {
    for (String given : new String[] {"WARN", "warning"}) {
      String level = LogLevel.pekko(given);
      assertEquals("WARNING", level, given);
      ActorSystem system = ActorSystem.create("log-level",
          ConfigFactory.parseString("pekko.loglevel = " + level).withFallback(ConfigFactory.load()));
      try {
        assertEquals(org.apache.pekko.event.Logging.WarningLevel(), system.eventStream().logLevel(), level);
      } finally {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get();
      }
    }
  }
}
