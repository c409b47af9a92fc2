package dev.switchyard.ops;

import dev.switchyard.ops.http.ApiKeys;
import dev.switchyard.simulator.cli.ExitCode;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code switchyard keys create}: a new API key, printed once with the line that configures it. Only the key's
 * SHA-256 goes into the configuration; the key itself is stored nowhere, so a lost key is replaced, not recovered.
 */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Makes API keys (switchyard.auth).",
    subcommands = KeysCommand.Create.class)
public final class KeysCommand implements Runnable {
  /** What a key starts with, so that secret scanners and people recognise one. */
  static final String PREFIX = "sy-";
  /** Random bytes of a key (and of an id secret): 256 bits. */
  static final int RANDOM_BYTES = 32;

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Prints a new random key (sy- and 32 bytes from SecureRandom, base64url) once, and the entry"
          + " for switchyard.auth.keys (or admin-keys) holding only its SHA-256; with --id-secret, a new"
          + " switchyard.auth.id-secret instead.")
  static final class Create implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Kind kind;

    static final class Kind {
      @Option(names = "--tenant", paramLabel = "NAME", description = "A key of tenant NAME (a switchyard.tenants"
          + " entry) for the /v1 routes.")
      String tenant;

      @Option(names = "--admin", paramLabel = "NAME", description = "An admin key for the /admin routes; NAME is"
          + " for operators (who holds it).")
      String admin;

      @Option(names = "--id-secret", description = "A secret for switchyard.auth.id-secret (the same on every"
          + " node), which job ids are derived from.")
      boolean idSecret;
    }

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      String owner = kind.tenant != null ? kind.tenant : kind.admin;
      if (owner != null && (owner.isBlank() || !owner.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '"'))) {
        err.println("switchyard keys create: the name must be visible ASCII without quotes, got '" + owner + "'");
        err.flush();
        return ExitCode.USAGE;
      }
      String secret = random();
      if (kind.idSecret) {
        out.println("switchyard.auth.id-secret = \"" + secret + "\"");
        out.println("# or SWITCHYARD_AUTH_ID_SECRET=" + secret + "; the same on every node, kept like a password");
        out.flush();
        return ExitCode.OK;
      }
      String key = PREFIX + secret;
      String hash = HexFormat.of().formatHex(ApiKeys.sha256(key));
      out.println(key);
      out.println("# the key above is shown only now; configuration holds only its SHA-256:");
      out.println(kind.tenant != null
          ? "switchyard.auth.keys += { tenant = \"" + owner + "\", sha256 = \"" + hash + "\" }"
          : "switchyard.auth.admin-keys += { name = \"" + owner + "\", sha256 = \"" + hash + "\" }");
      out.flush();
      return ExitCode.OK;
    }

    private static String random() {
      byte[] bytes = new byte[RANDOM_BYTES];
      new SecureRandom().nextBytes(bytes);
      return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
  }
}
