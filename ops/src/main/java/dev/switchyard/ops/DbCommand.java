package dev.switchyard.ops;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.actors.journal.JournalCheck;
import dev.switchyard.actors.journal.JournalDatabase;
import dev.switchyard.actors.journal.JournalSchema;
import dev.switchyard.simulator.cli.ExitCode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code switchyard db init}: applies the journal's schema ahead of the nodes, for deployments whose nodes start
 * with {@code switchyard.persistence.create-schema = off} (e.g. a database role that may not create tables).
 */
@Command(name = "db", mixinStandardHelpOptions = true, description = "Works with the journal's database.",
    subcommands = DbCommand.Init.class)
public final class DbCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
  }

  @Command(name = "init", mixinStandardHelpOptions = true,
      description = "Creates the journal and snapshot tables of the profile's database where missing (idempotent;"
          + " concurrent runs and starting nodes take turns), then checks it takes a write.")
  static final class Init implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--profile", paramLabel = "NAME[,NAME]", description = "Deployment profile, as for serve (cluster: the PostgreSQL of SWITCHYARD_PG_URL). Default: SWITCHYARD_PROFILE, else single-node.")
    String profile;

    @Option(names = "--config", paramLabel = "FILE", description = "A configuration file whose settings (e.g. pekko-persistence-jdbc.shared-databases.slick.db.url) apply over the profile.")
    Path configFile;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      Config config;
      try {
        Config file = FleetFiles.read(configFile, Map.of()).map(FleetFiles.Loaded::file).orElse(ConfigFactory.empty());
        // No cluster and no remoting port: this process only talks to the database. And it returns its exit code
        // itself: the cluster profile's exit-jvm is for a downed node.
        config = SwitchyardConfig.load(Map.of("pekko.actor.provider", "local",
            "pekko.coordinated-shutdown.exit-jvm", "off"), file,
            SwitchyardConfig.profile(profile));
      } catch (FleetFiles.Unreadable | IllegalArgumentException | ConfigException e) {
        return usage(err, e.getMessage());
      }
      JournalDatabase db = JournalDatabase.fromConfig(config);
      ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "switchyard-db-init", config);
      try {
        JournalSchema.create(system);
      } catch (IllegalStateException e) {
        err.println("switchyard db init: " + db.name() + ": " + e.getMessage());
        err.flush();
        return ExitCode.FAILED;
      } finally {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
      Optional<JournalCheck.Problem> problem = JournalCheck.run(config);
      if (problem.isPresent()) {
        err.println("switchyard db init: " + problem.get().line());
        err.flush();
        return ExitCode.FAILED;
      }
      out.println("switchyard db init: the journal schema is in place in " + db.name());
      out.flush();
      return ExitCode.OK;
    }

    private static int usage(PrintWriter err, String message) {
      err.println("switchyard db init: " + message);
      err.flush();
      return ExitCode.USAGE;
    }
  }
}
