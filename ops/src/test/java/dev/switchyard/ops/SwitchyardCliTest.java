package dev.switchyard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** The command line: help for every subcommand, and bad input answered with exit code 2 and a message naming it. */
public class SwitchyardCliTest {
  /** What one in-process run of the command line printed and returned. */
  public record Run(int exit, String out, String err) {}

  public static Run run(String... args) {
    CommandLine cli = SwitchyardCli.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "serve", "config", "config check", "keys", "keys create", "db", "db init", "train", "demo", "evaluate", "simulate", "bench",
      "bench learning", "bench load"})
  void helpWorksForEverySubcommand(String command) {
    String[] args = (command.isEmpty() ? "--help" : command + " --help").split(" ");
    Run r = run(args);

    assertEquals(0, r.exit(), r.err());
    String expected = "Usage: switchyard" + (command.isEmpty() ? "" : " " + command);
    assertTrue(r.out().startsWith(expected), r.out());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "serve", "demo", "bench load"})
  void versionWorksEverywhere(String command) {
    String[] args = (command.isEmpty() ? "-V" : command + " -V").split(" ");
    Run r = run(args);
    assertEquals(0, r.exit());
    assertEquals("switchyard 0.1.0", r.out().strip());
  }

  @Test
  void rootHelpListsTheSubcommandsAndExitCodes() {
    Run r = run("--help");
    for (String sub : new String[] {"serve", "demo", "evaluate", "simulate", "bench"}) {
      assertTrue(r.out().contains("  " + sub + " "), "lists " + sub + ":\n" + r.out());
    }
    assertTrue(r.out().contains("Exit codes:"));
  }

  @Test
  void serveHelpDocumentsItsFlags() {
    Run r = run("serve", "--help");
    for (String flag : new String[] {"--port", "--host", "--data", "--state-dir", "--latency-scale", "--profile"}) {
      assertTrue(r.out().contains(flag), flag + " in\n" + r.out());
    }
  }

  @Test
  void anUnknownDeploymentProfileIsAUsageErrorNamingIt() {
    for (String command : new String[] {"serve", "db init"}) {
      List<String> args = new ArrayList<>(List.of(command.split(" ")));
      args.addAll(List.of("--profile", "cluster,no-such-profile"));
      Run r = run(args.toArray(String[]::new));
      assertEquals(2, r.exit(), command + ": " + r.err());
      assertTrue(r.err().contains("deployment profile 'no-such-profile' not found"), command + ": " + r.err());
    }
  }

  @Test
  void unknownFlagIsUsageErrorNamingTheFlag() {
    Run r = run("serve", "--bogus");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("Unknown option: '--bogus'"), r.err());
  }

  @Test
  void badFlagValueIsUsageErrorNamingTheFlag() {
    Run notANumber = run("serve", "--port", "eighty");
    assertEquals(2, notANumber.exit());
    assertTrue(notANumber.err().contains("--port") && notANumber.err().contains("eighty"), notANumber.err());

    Run outOfRange = run("serve", "--port", "70000");
    assertEquals(2, outOfRange.exit());
    assertTrue(outOfRange.err().contains("--port must be 0..65535, got 70000"), outOfRange.err());

    Run negativeScale = run("serve", "--latency-scale", "-1");
    assertEquals(2, negativeScale.exit());
    assertTrue(negativeScale.err().contains("--latency-scale"), negativeScale.err());
  }

  @Test
  void missingDataSaysWhereItLooked(@TempDir Path dir) {
    Path missing = dir.resolve("nowhere/queries.jsonl");
    Run r = run("serve", "--data", missing.toString(), "--port", "0");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("recorded data not found; looked at:"), r.err());
    assertTrue(r.err().contains(missing.toString()), r.err());
  }

  @Test
  void malformedDataNamesFileAndLine(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("queries.jsonl");
    java.nio.file.Files.writeString(file, "{\"id\": \"a\", \"prompt\": \"x\", \"models\": {\"m\": {\"correct\": 1}}}\n{oops\n");
    Run r = run("serve", "--data", dir.toString(), "--port", "0");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains(":2: not valid JSON"), r.err());
  }

  @Test
  void missingSubcommandIsUsageError() {
    Run root = run();
    assertEquals(2, root.exit());
    assertTrue(root.err().contains("missing subcommand"), root.err());
    Run bench = run("bench");
    assertEquals(2, bench.exit());
    assertTrue(bench.err().contains("missing benchmark"), bench.err());
    Run unknown = run("frobnicate");
    assertEquals(2, unknown.exit());
    assertTrue(unknown.err().contains("frobnicate"), unknown.err());
  }

  @Test
  void loadBenchmarkRefusesNonLoopbackTargetsAndBadBounds() {
    Run remote = run("bench", "load", "--url", "http://10.1.2.3:8080", "--requests", "1");
    assertEquals(2, remote.exit());
    assertTrue(remote.err().contains("loopback"), remote.err());

    Run zero = run("bench", "load", "--concurrency", "0");
    assertEquals(2, zero.exit());
    assertTrue(zero.err().contains("concurrency must be 1..256, got 0"), zero.err());

    Run duration = run("bench", "load", "--max-duration", "forever");
    assertEquals(2, duration.exit());
    assertTrue(duration.err().contains("--max-duration"), duration.err());
  }
}
