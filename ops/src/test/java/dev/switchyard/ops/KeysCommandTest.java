package dev.switchyard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.switchyard.ops.http.ApiKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code switchyard keys create} prints a new key once with the configuration line that holds only its hash;
 * {@code config check} and {@code serve} read those lines and name what is wrong in them; {@code serve} will not
 * expose an unauthenticated API on a non-loopback address unless told so.
 */
class KeysCommandTest {
  @TempDir
  Path dir;

  @Test
  void aNewKeyIsPrintedOnceWithTheLineThatConfiguresItsHash() {
    SwitchyardCliTest.Run first = SwitchyardCliTest.run("keys", "create", "--tenant", "acme");
    SwitchyardCliTest.Run second = SwitchyardCliTest.run("keys", "create", "--tenant", "acme");
    assertEquals(0, first.exit(), first.err());
    List<String> lines = first.out().lines().toList();
    String key = lines.get(0);
    assertTrue(key.matches("sy-[A-Za-z0-9_-]{43}"), "sy- and 32 random bytes, base64url: " + key);
    assertEquals("switchyard.auth.keys += { tenant = \"acme\", sha256 = \""
        + HexFormat.of().formatHex(ApiKeys.sha256(key)) + "\" }", lines.get(2));
    assertNotEquals(key, second.out().lines().findFirst().orElseThrow(), "a new key every time");

    SwitchyardCliTest.Run admin = SwitchyardCliTest.run("keys", "create", "--admin", "ops");
    assertTrue(admin.out().lines().toList().get(2).startsWith("switchyard.auth.admin-keys += { name = \"ops\""),
        admin.out());
    SwitchyardCliTest.Run secret = SwitchyardCliTest.run("keys", "create", "--id-secret");
    assertTrue(secret.out().startsWith("switchyard.auth.id-secret = \""), secret.out());

    SwitchyardCliTest.Run both = SwitchyardCliTest.run("keys", "create", "--tenant", "a", "--admin", "b");
    assertEquals(2, both.exit(), "one kind of key at a time");
    assertEquals(2, SwitchyardCliTest.run("keys", "create").exit(), "a kind is required");
  }

  @Test
  void configCheckReadsTheCreatedLinesAndNamesABadOne() throws Exception {
    String line = SwitchyardCliTest.run("keys", "create", "--tenant", "acme").out().lines().toList().get(2);
    String secret = SwitchyardCliTest.run("keys", "create", "--id-secret").out().lines().findFirst().orElseThrow();
    Path good = dir.resolve("good.conf");
    Files.writeString(good, "switchyard.tenants { acme {} }\n" + line + "\n" + secret + "\n");
    SwitchyardCliTest.Run ok = SwitchyardCliTest.run("config", "check", good.toString());
    assertEquals(0, ok.exit(), ok.err());
    assertTrue(ok.out().contains("API keys: 1 tenant key(s) (acme), 0 admin key(s)"), ok.out());

    Path bad = dir.resolve("bad.conf");
    Files.writeString(bad, "switchyard.tenants { acme {} }\n" + line.replace("acme", "acne") + "\n");
    SwitchyardCliTest.Run refused = SwitchyardCliTest.run("config", "check", bad.toString());
    assertEquals(2, refused.exit(), refused.out());
    assertTrue(refused.err().contains(bad + ": switchyard.auth.keys[0].tenant: 'acne' is not a tenant of"
        + " switchyard.tenants (did you mean 'acme'?)"), refused.err());
    assertTrue(refused.err().contains(bad + ": switchyard.auth.id-secret: required when API keys are configured"),
        refused.err());

    SwitchyardCliTest.Run serve = SwitchyardCliTest.run("serve", "--config", bad.toString(), "--port", "0",
        "--state-dir", dir.resolve("state").toString());
    assertEquals(2, serve.exit(), serve.out());
    assertTrue(serve.err().contains("switchyard serve: " + bad + ": switchyard.auth.keys[0].tenant: 'acne'"),
        serve.err());
  }

  @Test
  void serveRefusesANonLoopbackAddressWithoutKeysUnlessToldSo() {
    SwitchyardCliTest.Run r = SwitchyardCliTest.run("serve", "--host", "0.0.0.0", "--port", "0");
    assertEquals(2, r.exit(), r.out());
    assertTrue(r.err().contains("switchyard.http.host (--host) is 0.0.0.0, not a loopback address, and no API key is"
        + " configured"), r.err());
    assertTrue(r.err().contains("--allow-unauthenticated"), r.err());

    ApiKeys none = ApiKeys.NONE;
    assertTrue(ServeCommand.unauthenticatedExposure(config("0.0.0.0", false), none).isPresent());
    assertTrue(ServeCommand.unauthenticatedExposure(config("0.0.0.0", true), none).isEmpty(), "told so");
    assertTrue(ServeCommand.unauthenticatedExposure(config("127.0.0.1", false), none).isEmpty());
    assertTrue(ServeCommand.unauthenticatedExposure(config("localhost", false), none).isEmpty());
    assertTrue(ServeCommand.unauthenticatedExposure(config("::1", false), none).isEmpty());
  }

  private static com.typesafe.config.Config config(String host, boolean allow) {
    return ConfigFactory.parseMap(Map.of("switchyard.http.host", host, "switchyard.auth.allow-unauthenticated",
        allow)).withFallback(ConfigFactory.defaultReference()).resolve();
  }

  /**
   * For end-to-end tests: a new key made by {@code switchyard keys create KIND NAME} ({@code --tenant} or
   * {@code --admin}); its configuration line, which holds only the key's hash, is appended to {@code config}.
   */
  static String createKey(StringBuilder config, String kind, String name) {
    SwitchyardCliTest.Run r = SwitchyardCliTest.run("keys", "create", kind, name);
    assertEquals(0, r.exit(), r.err());
    List<String> lines = r.out().lines().toList();
    config.append(lines.get(2)).append('\n');
    return lines.get(0);
  }

  /** For end-to-end tests: appends the line of a new {@code switchyard.auth.id-secret} to {@code config}. */
  static void createIdSecret(StringBuilder config) {
    SwitchyardCliTest.Run secret = SwitchyardCliTest.run("keys", "create", "--id-secret");
    assertEquals(0, secret.exit(), secret.err());
    config.append(secret.out().lines().findFirst().orElseThrow()).append('\n');
  }
}
