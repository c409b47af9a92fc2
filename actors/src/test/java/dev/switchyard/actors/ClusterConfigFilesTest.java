package dev.switchyard.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.protocol.serialization.KryoSerializer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The deployment files of the cluster-config module resolve on top of the engine's defaults. */
@ExtendWith(LogCapturingExtension.class)
class ClusterConfigFilesTest {
  static final Path DIR = Path.of("..", "cluster-config", "src", "main", "resources");

  static Config load(String... files) {
    Config c = ConfigFactory.empty();
    for (String f : files) {
      assertTrue(Files.exists(DIR.resolve(f)), "missing " + f);
      c = ConfigFactory.parseFile(DIR.resolve(f).toFile()).withFallback(c);
    }
    return c.withFallback(ConfigFactory.parseResourcesAnySyntax(NodeConfig.ENGINE_PEKKO_SETTINGS))
        .withFallback(ConfigFactory.defaultReference()).resolve();
  }

  @Test
  void singleNodeUsesAnH2FileAndJoinsItself() {
    Config c = load("single-node.conf");
    assertEquals("cluster", c.getString("pekko.actor.provider"));
    assertEquals("tcp", c.getString("pekko.remote.artery.transport"));
    assertTrue(c.getString("pekko-persistence-jdbc.shared-databases.slick.db.url").startsWith("jdbc:h2:file:"));
    assertTrue(c.getBoolean("switchyard.cluster.self-join"));
    EngineSettings.from(c);
  }

  @Test
  void clusterIsOneProfileWithPostgresSeedNodesAndKeepMajority() {
    Config c = load("cluster.conf");
    assertEquals(2, c.getStringList("pekko.cluster.seed-nodes").size());
    assertEquals(25520, c.getInt("pekko.remote.artery.canonical.port"));
    assertEquals("keep-majority", c.getString("pekko.cluster.split-brain-resolver.active-strategy"));
    assertEquals(Duration.ofSeconds(7), c.getDuration("pekko.cluster.split-brain-resolver.stable-after"));
    assertEquals("org.apache.pekko.cluster.sbr.SplitBrainResolverProvider",
        c.getString("pekko.cluster.downing-provider-class"));
    assertEquals("slick.jdbc.PostgresProfile$", c.getString("pekko-persistence-jdbc.shared-databases.slick.profile"));
    assertEquals("org.postgresql.Driver", c.getString("pekko-persistence-jdbc.shared-databases.slick.db.driver"));
    assertFalse(c.getBoolean("switchyard.cluster.self-join"));
    EngineSettings.from(c);
  }

  /**
   * Which of two reference.conf files wins depends on classpath order, and pekko-persistence's sets no journal.
   * The engine's own Pekko settings sit above every reference.conf, so with any profile (or none) the journal
   * is selected even when pekko-persistence's reference.conf came first.
   */
  @Test
  void theJournalIsSelectedWhateverTheClasspathOrder() {
    Config persistenceFirst = ConfigFactory.parseString(
        "pekko.persistence.journal.plugin = \"\"\npekko.persistence.snapshot-store.plugin = \"\"");
    for (String[] profile : new String[][] {{}, {"single-node.conf"}, {"single-node.conf", "postgres.conf"}, {"cluster.conf"}}) {
      Config profiles = ConfigFactory.empty();
      for (String f : profile) {
        profiles = ConfigFactory.parseFile(DIR.resolve(f).toFile()).withFallback(profiles);
      }
      Config c = profiles.withFallback(ConfigFactory.parseResourcesAnySyntax(NodeConfig.ENGINE_PEKKO_SETTINGS))
          .withFallback(persistenceFirst).withFallback(ConfigFactory.defaultReference()).resolve();
      String name = String.join("+", profile);
      assertEquals("jdbc-journal", c.getString("pekko.persistence.journal.plugin"), name);
      assertEquals("jdbc-snapshot-store", c.getString("pekko.persistence.snapshot-store.plugin"), name);
    }
  }

  @Test
  void aeronIsAnOption() {
    Config c = load("single-node.conf", "aeron.conf");
    assertEquals("aeron-udp", c.getString("pekko.remote.artery.transport"));
    assertEquals(1, c.getInt("pekko.remote.artery.advanced.aeron.idle-cpu-level"));
  }

  @Test
  void journalEventsUseJacksonAndMessagesKryo() {
    Config c = NodeConfig.load();
    assertEquals("jackson-json", c.getString("pekko.actor.serialization-bindings.\"dev.switchyard.protocol.Journaled\""));
    assertEquals("switchyard-kryo", c.getString("pekko.actor.serialization-bindings.\"dev.switchyard.protocol.CrossNode\""));
    assertEquals(List.of("dev.switchyard.actors.ActorsKryoRegistrar",
        "dev.switchyard.protocol.serialization.ProtocolKryoRegistrar"), KryoSerializer.registrarNames(c));
    assertEquals("off", c.getString("pekko.actor.allow-java-serialization"));
  }
}
