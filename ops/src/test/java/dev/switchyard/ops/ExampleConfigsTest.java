package dev.switchyard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code switchyard config check}: the example fleets pass it, and a broken file gets one line per problem. */
class ExampleConfigsTest {
  private static final Path EXAMPLES = Path.of("..", "examples");
  private static final Path SHARED = Path.of(System.getProperty("switchyard.shared.data", "../shared/data"),
      "zellinger-cascade9", "queries.jsonl");

  @TempDir
  Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"local-gpus.conf", "hosted-apis.conf", "mixed.conf"})
  void everyExamplePassesTheCheck(String name) throws IOException {
    Path file = EXAMPLES.resolve(name);
    if (Files.readString(file).contains("shared/data")) {
      Assumptions.assumeTrue(Files.isRegularFile(SHARED), "recorded data not found at " + SHARED.toAbsolutePath()
          + "; skipping " + name + ", which is fitted on it");
    }
    SwitchyardCliTest.Run r = SwitchyardCliTest.run("config", "check", file.toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().startsWith(file + ": ok: "), r.out());
  }

  @Test
  void aBrokenFileGetsEveryProblemOnItsOwnLineAndExit2() throws IOException {
    Path file = dir.resolve("broken.conf");
    Files.writeString(file, """
        switchyard.models {
          a { base-url = "http://127.0.0.1:1/v1" }
          b { base-url = "http://127.0.0.1:2/v1", price { input-per-mtok = 1, output-per-mtok = 2 }, timout = 3s }
        }
        switchyard.pipelines.p { strategy = thompsen, models = [a, c] }
        switchyard.htpp.port = 9000
        """);
    SwitchyardCliTest.Run r = SwitchyardCliTest.run("config", "check", file.toString());
    assertEquals(2, r.exit(), r.out());
    String err = r.err();
    for (String expected : new String[] {
        file + ": switchyard.models.a.price: a model needs a price",
        file + ": switchyard.models.b.timout: unknown key (did you mean 'timeout'?)",
        file + ": switchyard.pipelines.p.strategy: unknown strategy 'thompsen' (did you mean 'thompson'?)",
        file + ": switchyard.pipelines.p.models: names model 'c', which is not in switchyard.models",
        file + ": switchyard.htpp.port: unknown setting (did you mean 'switchyard.http.port'?)"}) {
      assertTrue(err.contains(expected), "missing '" + expected + "' in:\n" + err);
    }
    assertTrue(err.strip().endsWith("problem(s)"), err);
  }

  @Test
  void aFileThatIsNotHoconOrMissingIsNamed() throws IOException {
    SwitchyardCliTest.Run missing = SwitchyardCliTest.run("config", "check", dir.resolve("none.conf").toString());
    assertEquals(2, missing.exit());
    assertTrue(missing.err().contains("no such file") && missing.err().contains("none.conf"), missing.err());
    Path bad = dir.resolve("bad.conf");
    Files.writeString(bad, "switchyard.models { a = { \n");
    SwitchyardCliTest.Run r = SwitchyardCliTest.run("config", "check", bad.toString());
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("bad.conf"), r.err());
  }
}
