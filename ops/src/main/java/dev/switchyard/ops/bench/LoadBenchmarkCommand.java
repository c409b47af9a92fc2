package dev.switchyard.ops.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import dev.switchyard.ops.SwitchyardConfig;
import dev.switchyard.simulator.cli.DataLocator;
import dev.switchyard.simulator.cli.DataOption;
import dev.switchyard.simulator.cli.ExitCode;
import dev.switchyard.strategies.data.DataFormatException;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedQuery;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code switchyard bench load}: HTTP load against a running {@code switchyard serve} on this machine. */
@Command(name = "load", mixinStandardHelpOptions = true,
    description = "Closed-loop HTTP load against a running 'switchyard serve' on this machine (loopback only);"
        + " bounded by a request count and a time limit; writes the results as JSON.")
public final class LoadBenchmarkCommand implements Callable<Integer> {
  /** Used when no recorded data is found: short prompts of the kinds in the shared data set. */
  static final List<String> BUILT_IN_PROMPTS = List.of(
      "What is the capital of Australia?",
      "Which planet has the most moons?",
      "A train travels 120 km in 1.5 hours. What is its average speed in km/h?",
      "Answer with one letter. Which gas do plants absorb? A) O2 B) CO2 C) N2 D) He",
      "Who wrote 'The Brothers Karamazov'?",
      "Is it true that humans use only 10% of their brains?",
      "If 3x + 7 = 22, what is x?",
      "Which vitamin deficiency causes scurvy?");

  @Spec
  CommandSpec spec;

  @Option(names = "--url", paramLabel = "URL", defaultValue = "http://127.0.0.1:8080",
      description = "Base URL of the server (loopback only). Default: ${DEFAULT-VALUE}.")
  URI url;

  @Option(names = "--model", paramLabel = "PIPELINE", defaultValue = "switchyard/cascade",
      description = "Pipeline to call. Default: ${DEFAULT-VALUE}.")
  String model;

  @Option(names = "--requests", paramLabel = "N", description = "Requests to send (1..1000000). Default: switchyard.bench.load.requests (200).")
  Integer requests;

  @Option(names = "--concurrency", paramLabel = "C", description = "Concurrent clients (1..256). Default: switchyard.bench.load.concurrency (8).")
  Integer concurrency;

  @Option(names = "--max-duration", paramLabel = "DURATION", description = "Stop sending after this long, e.g. 60s, 5m (at most 1h). Default: switchyard.bench.load.max-duration (120s).")
  String maxDuration;

  @Option(names = "--stream", description = "Ask for streamed (SSE) responses.")
  boolean stream;

  @Option(names = "--kind", paramLabel = "KIND", defaultValue = "chat",
      description = "chat (ephemeral chat completions, 200), durable-chat (journaled chat completions, 200) or jobs"
          + " (POST /v1/jobs, 202 once journaled). Default: ${DEFAULT-VALUE}.")
  String kind;

  @Mixin
  DataOption data = new DataOption();

  @Mixin
  ResultsFileOption results = new ResultsFileOption();

  @Override
  public Integer call() throws Exception {
    PrintWriter stdout = spec.commandLine().getOut();
    Config config = SwitchyardConfig.load(Map.of());
    Config defaults = BenchCli.defaults(spec);
    LoadBenchmark.Settings settings;
    try {
      Duration limit = BenchCli.durationOr("--max-duration", maxDuration, defaults, "max-duration");
      LoadBenchmark.requireLoopback(url);
      LoadBenchmark.Kind requestKind = LoadBenchmark.Kind.parse(kind);
      settings = new LoadBenchmark.Settings(url, model,
          requests == null ? defaults.getInt("requests") : requests,
          concurrency == null ? defaults.getInt("concurrency") : concurrency,
          limit, defaults.getDuration("request-timeout"), stream, BUILT_IN_PROMPTS, requestKind);
      // bounds are checked above before the (possibly large) data file is read for prompts
      settings = new LoadBenchmark.Settings(settings.baseUrl(), settings.model(), settings.requests(),
          settings.concurrency(), settings.maxDuration(), settings.requestTimeout(), stream, prompts(config, stdout),
          requestKind);
    } catch (IllegalArgumentException | DataFormatException e) {
      return BenchCli.usage(spec, e.getMessage());
    }
    stdout.printf("bench load: %d requests (%s), %d clients, at most %s, against %s (%s%s)%n", settings.requests(),
        kind, settings.concurrency(), settings.maxDuration(), url, model, stream ? ", streamed" : "");
    stdout.flush();
    ObjectNode report = LoadBenchmark.run(settings);
    Path target = BenchReport.write(results.out(spec), report);
    stdout.printf("sent %d, ok %d, errors %d %s in %.1f s: %.1f req/s; latency ms p50 %s p90 %s p99 %s;"
            + " mean cost USD %s%n",
        report.get("requests_sent").asInt(), report.get("ok").asInt(), report.get("errors").asInt(),
        report.get("status_counts"), report.get("elapsed_s").asDouble(), report.get("throughput_rps").asDouble(),
        report.path("latency_ms_ok").path("p50").asText("-"), report.path("latency_ms_ok").path("p90").asText("-"),
        report.path("latency_ms_ok").path("p99").asText("-"),
        report.get("mean_cost_usd").isNull() ? "-" : String.format("%.6g", report.get("mean_cost_usd").asDouble()));
    stdout.flush();
    BenchCli.written(spec, target);
    if (report.get("ok").asInt() == 0) {
      return BenchCli.failed(spec, "no request succeeded; is 'switchyard serve' running at " + url + "?");
    }
    return ExitCode.OK;
  }

  private List<String> prompts(Config config, PrintWriter stdout) {
    DataLocator.Located located = DataLocator.standard().locate(data.given(), config);
    if (located.file().isEmpty()) {
      if (data.given() != null) {
        throw new IllegalArgumentException(located.describeMissing());
      }
      stdout.println("bench load: no recorded data found, using " + BUILT_IN_PROMPTS.size() + " built-in prompts");
      return BUILT_IN_PROMPTS;
    }
    RecordedDataset test = RecordedDataset.load(located.file().get()).split("test");
    return test.shuffled(7).stream().map(RecordedQuery::prompt).toList();
  }
}
