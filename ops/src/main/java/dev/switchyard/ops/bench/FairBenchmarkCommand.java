package dev.switchyard.ops.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import dev.switchyard.simulator.cli.ExitCode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code switchyard bench fair}: a quiet tenant's latency beside a noisy one (see {@link FairAdmissionBenchmark}). */
@Command(name = "fair", mixinStandardHelpOptions = true,
    description = "Fair admission under a noisy neighbour, on one engine node in this JVM: a model with a fixed"
        + " service time and limited concurrency, two tenants of equal priority. Runs the quiet tenant alone, then"
        + " beside a noisy tenant sending a multiple of its share, with fair admission and without it (no tenant on"
        + " the queries: first come, first served); reports each tenant's answered and refused queries and latency"
        + " percentiles (from intended send time) as JSON.")
public final class FairBenchmarkCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--service-time", paramLabel = "DURATION",
      description = "How long the backend takes for every call. Default: switchyard.bench.fair.service-time.")
  String serviceTime;

  @Option(names = "--concurrency", paramLabel = "N",
      description = "Calls the model's pool runs at once. Default: switchyard.bench.fair.concurrency.")
  Integer concurrency;

  @Option(names = "--quiet-load", paramLabel = "FRACTION",
      description = "The quiet tenant's rate as a fraction of its share (half the capacity)."
          + " Default: switchyard.bench.fair.quiet-load.")
  Double quietLoad;

  @Option(names = "--noisy-factor", paramLabel = "X",
      description = "The noisy tenant's rate in multiples of its share. Default: switchyard.bench.fair.noisy-factor.")
  Double noisyFactor;

  @Mixin
  MeasuredWindowOptions window = new MeasuredWindowOptions();

  @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "target/bench/fair-state",
      description = "The node's state directory (its journal). Default: ${DEFAULT-VALUE}.")
  Path stateDir;

  @Mixin
  ResultsFileOption results = new ResultsFileOption();

  @Override
  public Integer call() throws Exception {
    PrintWriter stdout = spec.commandLine().getOut();
    Config defaults = BenchCli.defaults(spec);
    FairAdmissionBenchmark.Settings settings;
    try {
      settings = new FairAdmissionBenchmark.Settings(
          BenchCli.durationOr("--service-time", serviceTime, defaults, "service-time"),
          concurrency != null ? concurrency : defaults.getInt("concurrency"),
          quietLoad != null ? quietLoad : defaults.getDouble("quiet-load"),
          noisyFactor != null ? noisyFactor : defaults.getDouble("noisy-factor"),
          window.warmup(defaults), window.duration(defaults), defaults.getDuration("request-timeout"), stateDir);
    } catch (IllegalArgumentException e) {
      return BenchCli.usage(spec, e.getMessage());
    }
    stdout.printf("bench fair: service time %d ms x %d at once (capacity %.1f calls/s, share %.1f/s each);"
            + " quiet at %.1f/s, noisy at %.1f/s; %s warm-up and %s measured per run%n",
        settings.serviceTime().toMillis(), settings.concurrency(), settings.capacityPerSecond(),
        settings.sharePerSecond(), settings.sharePerSecond() * settings.quietLoad(),
        settings.sharePerSecond() * settings.noisyFactor(), settings.warmup(), settings.duration());
    stdout.flush();
    ObjectNode report = FairAdmissionBenchmark.run(settings);
    Path target = BenchReport.write(results.out(spec), report);
    for (String run : new String[] {"alone", "fair", "fifo"}) {
      for (String tenant : new String[] {FairAdmissionBenchmark.QUIET, FairAdmissionBenchmark.NOISY}) {
        JsonNode t = report.at("/runs/" + run + "/" + tenant);
        if (t.isMissingNode()) {
          continue;
        }
        stdout.printf("  %-5s %-5s offered %6.1f/s answered %6.1f/s (%d of %d, not answered %s); ms p50 %s p99 %s"
                + " max %s%n", run, tenant, t.get("offered_rps").asDouble(), t.get("answered_rps").asDouble(),
            t.get("answered").asLong(), t.get("sent").asLong(), t.get("not_answered"),
            t.at("/latency_ms/p50").asText(), t.at("/latency_ms/p99").asText(), t.at("/latency_ms/max").asText());
      }
    }
    stdout.printf("quiet p99 over alone: fair %s, fifo %s%n", ratio(report, "fair"), ratio(report, "fifo"));
    stdout.flush();
    BenchCli.written(spec, target);
    if (report.at("/runs/alone/quiet/answered").asLong() == 0) {
      return BenchCli.failed(spec, "the quiet tenant had no answer even alone");
    }
    return ExitCode.OK;
  }

  private static String ratio(JsonNode report, String run) {
    JsonNode r = report.at("/quiet_p99_over_alone/" + run);
    return r.isNumber() ? r.asText() : "none (the quiet tenant had no answer)";
  }
}
