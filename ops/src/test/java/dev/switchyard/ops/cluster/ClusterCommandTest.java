package dev.switchyard.ops.cluster;

import static dev.switchyard.ops.SwitchyardCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.ops.SwitchyardCliTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterCommandTest {
  @TempDir Path dir;

  @Test
  void zeroNodesIsRefusedNamingTheFlag() {
    Run result = run("cluster", "up", "--nodes", "0", "--dir", dir.toString());
    assertEquals(2, result.exit());
    assertTrue(result.err().contains("--nodes"), result.err());
  }

  @Test
  void aTimeoutThatIsNoDurationIsRefusedNamingTheFlag() throws Exception {
    Run up = run("cluster", "up", "--nodes", "1", "--dir", dir.toString(), "--timeout", "soon");
    assertEquals(2, up.exit());
    assertTrue(up.err().contains("--timeout soon"), up.err());
    Files.writeString(dir.resolve("cluster.json"), "{\"nodes\":[]}");
    Run down = run("cluster", "down", "--dir", dir.toString(), "--timeout", "-5s");
    assertEquals(2, down.exit());
    assertTrue(down.err().contains("--timeout -5s"), down.err());
  }

  @Test
  void anUnknownProfileIsRefusedNamingItBeforeAnyNodeStarts() {
    Run result = run("cluster", "up", "--nodes", "3", "--dir", dir.toString(), "--profile", "cluster,aeorn");
    assertEquals(2, result.exit());
    assertTrue(result.err().contains("--profile") && result.err().contains("'aeorn'"), result.err());
    assertTrue(!Files.exists(dir.resolve("cluster.json")), "no cluster was started");
  }

  @Test
  void missingDirIsRefusedNamingTheFlag() {
    Run result = run("cluster", "up", "--nodes", "3");
    assertEquals(2, result.exit());
    assertTrue(result.err().contains("--dir"), result.err());
  }

  @Test
  void statusOnADirWithoutAClusterNamesTheDir() {
    Run result = run("cluster", "status", "--dir", dir.toString());
    assertEquals(2, result.exit());
    assertTrue(result.err().contains(dir.toString()), result.err());
  }
}
