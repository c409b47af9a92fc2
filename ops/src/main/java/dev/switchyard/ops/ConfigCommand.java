package dev.switchyard.ops;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.switchyard.actors.fleet.ConfigProblem;
import dev.switchyard.actors.fleet.FleetConfig;
import dev.switchyard.actors.fleet.ModelSpec;
import dev.switchyard.ops.http.ApiKeys;
import dev.switchyard.ops.http.TraceSettings;
import dev.switchyard.simulator.cli.ExitCode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code switchyard config check FILE}: every problem of a fleet configuration, one line each, before serving. */
@Command(name = "config", mixinStandardHelpOptions = true, description = "Works with configuration files.",
    subcommands = ConfigCommand.Check.class)
public final class ConfigCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
  }

  @Command(name = "check", mixinStandardHelpOptions = true,
      description = "Checks a configuration file as `serve --config FILE` would: each problem on one line with its"
          + " key path (exit 2), or a summary of the fleet (exit 0).")
  static final class Check implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The HOCON configuration file (switchyard.models, switchyard.pipelines, any other setting).")
    Path file;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      FleetFiles.Loaded loaded;
      Config config;
      try {
        loaded = FleetFiles.read(file, Map.of()).orElseThrow();
        config = SwitchyardConfig.load(Map.of(), loaded.file());
      } catch (FleetFiles.Unreadable e) {
        err.println("switchyard config check: " + e.getMessage());
        err.flush();
        return ExitCode.USAGE;
      } catch (ConfigException e) {
        err.println("switchyard config check: " + file + ": " + e.getMessage());
        err.flush();
        return ExitCode.USAGE;
      }
      FleetConfig.Checked checked = FleetFiles.check(config, loaded, FleetFiles.replay(config, loaded));
      ApiKeys.Checked auth = ApiKeys.check(config, checked.fleet().tenants());
      List<ConfigProblem> problems = new ArrayList<>(checked.problems());
      problems.addAll(auth.problems());
      if (!problems.isEmpty()) {
        for (ConfigProblem p : problems) {
          err.println(file + ": " + p.line());
        }
        err.printf("%s: %d problem(s)%n", file, problems.size());
        err.flush();
        return ExitCode.USAGE;
      }
      try {
        TraceSettings.fromConfig(config); // as serve reads it at start
      } catch (IllegalArgumentException e) {
        err.println(file + ": " + e.getMessage());
        err.printf("%s: 1 problem(s)%n", file);
        err.flush();
        return ExitCode.USAGE;
      }
      FleetConfig fleet = checked.fleet();
      out.printf("%s: ok: %d models (%s), %d pipelines (%s)%n", file, fleet.models().size(),
          fleet.models().stream().map(ModelSpec::id).collect(Collectors.joining(", ")), fleet.pipelines().size(),
          fleet.pipelines().stream().map(p -> p.name() + " = " + p.strategy()).collect(Collectors.joining(", ")));
      if (auth.keys().enabled()) {
        out.printf("%s: API keys: %d tenant key(s) (%s), %d admin key(s)%n", file, auth.keys().tenantKeys().size(),
            auth.keys().tenantKeys().stream().map(ApiKeys.Key::owner).distinct().collect(Collectors.joining(", ")),
            auth.keys().adminKeys().size());
      }
      if (fleet.models().isEmpty()) {
        out.println("(no switchyard.models: `serve` would run the simulated demo fleet)");
      }
      out.flush();
      return ExitCode.OK;
    }
  }
}
