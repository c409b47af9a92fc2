package dev.switchyard.ops;

import dev.switchyard.simulator.cli.DemoCommand;
import dev.switchyard.simulator.cli.ExitCode;
import dev.switchyard.simulator.cli.SimulateCommand;
import dev.switchyard.simulator.evaluation.EvaluateCommand;
import dev.switchyard.simulator.evaluation.TrainCommand;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * The {@code switchyard} command: the application's entry point.
 *
 * <p>Exit codes ({@link ExitCode}, shared by every command): 0 success; 1 the command failed while running (the
 * message says why); 2 bad usage (unknown flag or subcommand, bad value, missing input such as the data file).
 */
@Command(name = "switchyard", mixinStandardHelpOptions = true, version = "switchyard 0.1.0",
    description = "Routes and cascades LLM queries across a pool of models, learning which model fits which query.",
    subcommands = {
        ServeCommand.class,
        ConfigCommand.class,
        KeysCommand.class,
        DbCommand.class,
        dev.switchyard.ops.cluster.ClusterCommand.class,
        DemoCommand.class,
        EvaluateCommand.class,
        TrainCommand.class,
        SimulateCommand.class,
        BenchCommand.class,
        CommandLine.HelpCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:success",
        "1:the command failed while running",
        "2:bad usage (unknown flag or subcommand, bad value, missing data)"})
public final class SwitchyardCli implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "missing subcommand: choose one of serve, demo, evaluate, simulate, bench (or --help)");
  }

  public static void main(String[] args) {
    String level = System.getenv(LogLevel.VARIABLE);
    var badLevel = LogLevel.problem(level);
    if (badLevel.isPresent()) {
      System.err.println("switchyard: " + badLevel.get());
      System.exit(dev.switchyard.simulator.cli.ExitCode.USAGE);
    }
    if (level != null && System.getProperty("pekko.loglevel") == null) {
      System.setProperty("pekko.loglevel", LogLevel.pekko(level)); // over reference.conf's ${?SWITCHYARD_LOG_LEVEL}
    }
    System.exit(execute(args));
  }

  public static int execute(String... args) {
    return commandLine().execute(args);
  }

  /** The configured command line (used by tests to capture output). */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new SwitchyardCli());
    giveVersion(cli, cli.getCommandSpec().version());
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      PrintWriter err = commandLine.getErr();
      err.println("switchyard " + commandLine.getCommandName() + ": " + describe(e));
      if (Boolean.getBoolean("switchyard.debug") || System.getenv("SWITCHYARD_DEBUG") != null) {
        e.printStackTrace(err);
      } else {
        err.println("(set SWITCHYARD_DEBUG=1 for the stack trace)");
      }
      err.flush();
      return ExitCode.FAILED;
    });
    return cli;
  }

  /** Subcommands declared elsewhere have no version of their own; {@code -V} should still print one. */
  private static void giveVersion(CommandLine command, String[] version) {
    for (CommandLine sub : command.getSubcommands().values()) {
      if (sub.getCommandSpec().version().length == 0) {
        sub.getCommandSpec().version(version);
      }
      giveVersion(sub, version);
    }
  }

  private static String describe(Throwable e) {
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }
}
