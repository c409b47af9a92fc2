package dev.switchyard.ops.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import dev.switchyard.simulator.cli.ExitCode;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code switchyard bench rate}: open-loop load at fixed offered rates (see {@link OpenLoopLoad}). */
@Command(name = "rate", mixinStandardHelpOptions = true,
    description = "Open-loop HTTP load at fixed offered rates against a chat-completions endpoint on this machine"
        + " (loopback only): latency from each request's intended send time (coordinated omission corrected),"
        + " p50/p90/p99/p99.9, achieved rate and errors per rate; writes the results as JSON.")
public final class RateBenchmarkCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--url", paramLabel = "URL", required = true,
      description = "The full endpoint URL, e.g. http://127.0.0.1:8080/v1/chat/completions (loopback only).")
  URI url;

  @Option(names = "--model", paramLabel = "MODEL", defaultValue = "switchyard/bandit",
      description = "The body's model: a pipeline or model id. Default: ${DEFAULT-VALUE}.")
  String model;

  @Option(names = "--rates", paramLabel = "R,R,...", split = ",",
      description = "Offered rates in requests/s, run in turn. Default: switchyard.bench.rate.rates.")
  List<Double> rates;

  @Option(names = "--connections", paramLabel = "N",
      description = "Keep-alive connections (1..1024). Default: switchyard.bench.rate.connections.")
  Integer connections;

  @Mixin
  MeasuredWindowOptions window = new MeasuredWindowOptions();

  @Option(names = "--stream", description = "Ask for streamed (SSE) answers; one counts when its stream ends.")
  boolean stream;

  @Option(names = "--header", paramLabel = "NAME=VALUE",
      description = "An extra request header (repeatable), e.g. a gateway's provider header.")
  Map<String, String> headers = new LinkedHashMap<>();

  @Option(names = "--label", paramLabel = "TEXT", description = "What is measured, recorded in the results.")
  String label;

  @Mixin
  ResultsFileOption results = new ResultsFileOption();

  @Override
  public Integer call() throws Exception {
    PrintWriter stdout = spec.commandLine().getOut();
    Config defaults = BenchCli.defaults(spec);
    OpenLoopLoad.Settings settings;
    List<Double> offered;
    try {
      offered = rates != null ? rates : new ArrayList<>(defaults.getDoubleList("rates"));
      settings = new OpenLoopLoad.Settings(url, OpenLoopLoad.chatBody(model, "What is 2+2?", stream), headers,
          stream, connections != null ? connections : defaults.getInt("connections"),
          window.warmup(defaults), window.duration(defaults), defaults.getDuration("request-timeout"));
    } catch (IllegalArgumentException e) {
      return BenchCli.usage(spec, e.getMessage());
    }
    stdout.printf("bench rate: %s (%s%s) at %s req/s over %d connections, %s warm-up and %s measured each%n",
        url, model, stream ? ", streamed" : "", offered, settings.connections(), settings.warmup(),
        settings.duration());
    stdout.flush();
    ObjectNode report;
    try {
      report = OpenLoopLoad.run(settings, offered);
    } catch (IllegalArgumentException e) {
      return BenchCli.usage(spec, e.getMessage());
    }
    report.put("label", label == null ? model : label);
    report.put("model", model);
    Path target = BenchReport.write(results.out(spec), report);
    long answered = 0;
    for (JsonNode r : report.get("rates")) {
      answered += r.get("ok").asLong();
      stdout.printf("  %8.0f req/s offered: %8.1f achieved, ok %d, errors %d %s; ms p50 %s p90 %s p99 %s"
              + " p99.9 %s%n", r.get("offered_rps").asDouble(), r.get("achieved_rps").asDouble(),
          r.get("ok").asLong(), r.get("errors").asLong(), r.get("error_kinds"), r.at("/latency_ms/p50").asText(),
          r.at("/latency_ms/p90").asText(), r.at("/latency_ms/p99").asText(), r.at("/latency_ms/p99.9").asText());
    }
    stdout.flush();
    BenchCli.written(spec, target);
    if (answered == 0) {
      return BenchCli.failed(spec, "no request succeeded; is a server answering at " + url + "?");
    }
    return ExitCode.OK;
  }
}
