package dev.switchyard.simulator.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --data PATH}, the same flag for every command that reads recorded outcomes and can do without naming them
 * ({@code serve}, {@code bench load}, {@code demo}, {@code simulate}, {@code evaluate}); what the value means and
 * where the default is looked for is {@link DataLocator}'s one rule.
 */
public final class DataOption {
  @Option(names = "--data", paramLabel = "PATH", description = "Recorded outcomes: a queries.jsonl file or its "
      + "folder. Default: switchyard.data-path (SWITCHYARD_DATA), else ../shared/data/zellinger-cascade9 next to the "
      + "repository, else next to the working directory.")
  Path data;

  /** The path given, null when the flag was not. */
  public Path given() {
    return data;
  }
}
