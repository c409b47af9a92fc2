package dev.switchyard.ops.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.ops.SwitchyardConfig;
import dev.switchyard.simulator.cli.ExitCode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What every {@code switchyard bench} load command does the same way: its defaults from
 * {@code switchyard.bench.<command>}, its duration flags, its refusals of bad flags and of runs that measured nothing,
 * and its last line naming the results file.
 */
final class BenchCli {
  private BenchCli() {}

  /** The command's section of the configuration, {@code switchyard.bench.<name>}. */
  static Config defaults(CommandSpec spec) {
    return SwitchyardConfig.load(Map.of()).getConfig("switchyard.bench." + spec.name());
  }

  /** {@code text} as a HOCON duration ({@code 10s}, {@code 5m}, {@code 500ms}); a clear error naming {@code flag}. */
  static Duration duration(String flag, String text) {
    try {
      return ConfigFactory.parseString("d = \"" + text.replace("\"", "") + "\"").getDuration("d");
    } catch (ConfigException e) {
      throw new IllegalArgumentException(flag + " must be a duration such as 10s or 500ms, got '" + text + "'");
    }
  }

  /** The flag's value as a duration if given, else the configured default {@code key}. */
  static Duration durationOr(String flag, String text, Config defaults, String key) {
    return text != null ? duration(flag, text) : defaults.getDuration(key);
  }

  /** Refuses the command line: says why on stderr; the usage exit code. */
  static int usage(CommandSpec spec, String problem) {
    return complain(spec, problem, ExitCode.USAGE);
  }

  /** The run measured nothing to report: says why on stderr; the failure exit code. */
  static int failed(CommandSpec spec, String problem) {
    return complain(spec, problem, ExitCode.FAILED);
  }

  private static int complain(CommandSpec spec, String problem, int exitCode) {
    PrintWriter err = spec.commandLine().getErr();
    err.println(spec.qualifiedName() + ": " + problem);
    err.flush();
    return exitCode;
  }

  /** The command's last line on stdout: where the results are. */
  static void written(CommandSpec spec, Path target) {
    PrintWriter out = spec.commandLine().getOut();
    out.println("results written to " + target);
    out.flush();
  }
}
