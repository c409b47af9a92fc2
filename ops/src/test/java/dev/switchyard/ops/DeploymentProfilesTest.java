package dev.switchyard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.actors.NodeConfig;
import dev.switchyard.actors.journal.LocalPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The deployment profiles as `serve --profile` loads them from cluster-config, over the engine's layers. */
class DeploymentProfilesTest {
  /** What `serve --profile cluster,aeron` loads: profiles in order, the seed nodes from the environment. */
  @Test
  void profilesLayerInOrderAndTheEnvironmentListsTheSeedNodes() {
    Config c = NodeConfig.load(ConfigFactory.empty(), ConfigFactory.empty(), "cluster,aeron", Map.of(
        NodeConfig.SEED_NODES_VARIABLE, " pekko://switchyard@10.0.0.1:25520, pekko://switchyard@10.0.0.2:25520 "));
    assertEquals("aeron-udp", c.getString("pekko.remote.artery.transport"));
    assertEquals("slick.jdbc.PostgresProfile$", c.getString("pekko-persistence-jdbc.shared-databases.slick.profile"));
    assertEquals(List.of("pekko://switchyard@10.0.0.1:25520", "pekko://switchyard@10.0.0.2:25520"),
        c.getStringList("pekko.cluster.seed-nodes"));
  }

  /**
   * {@code --profile kubernetes}: the cluster profile's journal and remoting, no static seed nodes, cluster bootstrap
   * (loaded as an extension, which starts Pekko Management too) over the Kubernetes API.
   */
  @Test
  void kubernetesIsTheClusterJoinedByBootstrapThroughTheKubernetesApi() {
    Config c = NodeConfig.load(ConfigFactory.empty(), ConfigFactory.empty(), "kubernetes", Map.of());
    assertEquals("slick.jdbc.PostgresProfile$", c.getString("pekko-persistence-jdbc.shared-databases.slick.profile"));
    assertEquals("keep-majority", c.getString("pekko.cluster.split-brain-resolver.active-strategy"));
    assertEquals(List.of(), c.getStringList("pekko.cluster.seed-nodes"));
    assertEquals(List.of(ServeCommand.CLUSTER_BOOTSTRAP), c.getStringList("pekko.extensions"));
    Config discovery = c.getConfig("pekko.management.cluster.bootstrap.contact-point-discovery");
    assertEquals("kubernetes-api", discovery.getString("discovery-method"));
    assertEquals("app.kubernetes.io/name=switchyard",
        String.format(c.getString("pekko.discovery.kubernetes-api.pod-label-selector"),
            discovery.getString("service-name")));
    // management is probed at the address the node is reached at
    assertEquals(c.getString("pekko.remote.artery.canonical.hostname"), c.getString("pekko.management.http.hostname"));
    assertEquals(8558, c.getInt("pekko.management.http.port"));
    // kubernetes.conf says why, and only this profile turns it off
    assertEquals(false, c.getBoolean("pekko.fail-mixed-versions"));
    assertEquals(true, NodeConfig.load(ConfigFactory.empty(), ConfigFactory.empty(), "cluster", Map.of())
        .getBoolean("pekko.fail-mixed-versions"));
  }

  /**
   * Off the kubernetes module's class path (as here, in ops) cluster bootstrap is missing: Pekko would log that and
   * start a node that never joins; serve refuses, naming the extension and where it is.
   */
  @Test
  void serveWithTheKubernetesProfileWithoutTheBootstrapJarsIsRefusedSayingWhere(@TempDir Path dir) throws Exception {
    SwitchyardCliTest.Run r = SwitchyardCliTest.run("serve", "--profile", "kubernetes", "--port", "0",
        "--data", TinyDataset.write(dir).toString(), "--state-dir", dir.resolve("state").toString());
    assertEquals(2, r.exit(), r.out() + r.err());
    assertTrue(r.err().contains("pekko.extensions names " + ServeCommand.CLUSTER_BOOTSTRAP + ", which is not on the"
        + " classpath") && r.err().contains("kubernetes/target/lib"), r.err());
  }

  /**
   * Each aeron node's media driver has a directory of its own, named by its remoting address, so nodes on one host
   * do not share one and a killed node's buffers are wiped by the next node on that address (Aeron deletes an
   * inactive directory at start) instead of piling up under random names.
   */
  @Test
  void everyAeronNodeHasItsOwnMediaDriverDirectoryNamedByItsAddress() {
    Config first = NodeConfig.load(ConfigFactory.parseMap(Map.of("pekko.remote.artery.canonical.port", 25520)),
        ConfigFactory.empty(), "cluster,aeron", Map.of());
    Config second = NodeConfig.load(ConfigFactory.parseMap(Map.of("pekko.remote.artery.canonical.port", 25521)),
        ConfigFactory.empty(), "cluster,aeron", Map.of());
    assertEquals(true, first.getBoolean("pekko.remote.artery.advanced.aeron.embedded-media-driver"));
    assertEquals("/dev/shm/switchyard-aeron-127.0.0.1-25520",
        first.getString("pekko.remote.artery.advanced.aeron.aeron-dir"));
    assertEquals("/dev/shm/switchyard-aeron-127.0.0.1-25521",
        second.getString("pekko.remote.artery.advanced.aeron.aeron-dir"));
    assertEquals(true, first.getBoolean("pekko.remote.artery.advanced.aeron.delete-aeron-dir"));
  }

  @Test
  void anUnknownProfileOrAMalformedSeedListIsRefusedByName() {
    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
        () -> NodeConfig.load(ConfigFactory.empty(), ConfigFactory.empty(), "cluster,nosuch", Map.of()));
    assertTrue(unknown.getMessage().contains("'nosuch'"), unknown.getMessage());
    IllegalArgumentException seeds = assertThrows(IllegalArgumentException.class,
        () -> NodeConfig.load(ConfigFactory.empty(), ConfigFactory.empty(), "cluster",
            Map.of(NodeConfig.SEED_NODES_VARIABLE, "10.0.0.1:25520")));
    assertTrue(seeds.getMessage().contains(NodeConfig.SEED_NODES_VARIABLE)
        && seeds.getMessage().contains("10.0.0.1:25520"), seeds.getMessage());
    assertThrows(IllegalArgumentException.class, () -> NodeConfig.load(ConfigFactory.empty(), ConfigFactory.empty(),
        "cluster", Map.of(NodeConfig.SEED_NODES_VARIABLE, " , ")));
  }


  /**
   * {@code db init} applies the journal schema to a real PostgreSQL, and runs that start together (as the nodes of
   * a cluster do, each creating the schema) take turns instead of failing on "relation already exists".
   */
  @Test
  void dbInitCreatesTheJournalTablesOnPostgresAndConcurrentRunsTakeTurns(@TempDir Path dir) throws Exception {
    try (LocalPostgres pg = LocalPostgres.start(Map.of())) {
      Path file = dir.resolve("db.conf");
      Files.writeString(file, "pekko-persistence-jdbc.shared-databases.slick.db { url = \"" + pg.url()
          + "\", user = " + LocalPostgres.USER + " }\n");
      ExecutorService three = Executors.newFixedThreadPool(3);
      try {
        List<Future<SwitchyardCliTest.Run>> runs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          runs.add(three.submit(() -> SwitchyardCliTest.run("db", "init", "--profile", "cluster", "--config",
              file.toString())));
        }
        for (Future<SwitchyardCliTest.Run> run : runs) {
          SwitchyardCliTest.Run r = run.get(120, TimeUnit.SECONDS);
          assertEquals(0, r.exit(), r.err());
          assertTrue(r.out().contains("the journal schema is in place in " + pg.url()), r.out());
        }
      } finally {
        three.shutdownNow();
      }
      try (Connection c = pg.connect();
          ResultSet tables = c.createStatement().executeQuery("SELECT table_name FROM information_schema.tables"
              + " WHERE table_schema = 'public' ORDER BY table_name")) {
        List<String> names = new ArrayList<>();
        while (tables.next()) {
          names.add(tables.getString(1));
        }
        assertTrue(names.containsAll(List.of("event_journal", "event_tag", "snapshot")), names.toString());
      }
    }
  }
}
