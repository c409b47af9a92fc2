package dev.switchyard.ops.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.actors.fleet.ConfigProblem;
import dev.switchyard.actors.fleet.Tenants;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code switchyard.auth}: keys held as SHA-256 only, every mistake named by its key path, and job ids derived from
 * a tenant and its Idempotency-Key so that tenants never share a job and nobody without the id secret can name one.
 */
class ApiKeysTest {
  private static final String SECRET = "0123456789abcdef0123456789abcdef-test";
  private static final String ACME_KEY = "sy-acme-key";
  private static final String ADMIN_KEY = "sy-admin-key";

  private static String hex(String key) {
    return HexFormat.of().formatHex(ApiKeys.sha256(key));
  }

  private static ApiKeys.Checked check(String auth) {
    Config root = ConfigFactory.parseString("""
        switchyard.tenants { acme { models = [small] }, beta {} }
        """ + auth).withFallback(ConfigFactory.defaultReference()).resolve();
    List<ConfigProblem> problems = new ArrayList<>();
    Tenants tenants = Tenants.parse(root, null, problems);
    assertEquals(List.of(), problems);
    return ApiKeys.check(root, tenants);
  }

  private static ApiKeys keys() {
    ApiKeys.Checked checked = check("""
        switchyard.auth.keys = [{ tenant = acme, sha256 = "%s" }, { tenant = beta, sha256 = "%s" }]
        switchyard.auth.admin-keys = [{ name = ops, sha256 = "%s" }]
        switchyard.auth.id-secret = "%s"
        """.formatted(hex(ACME_KEY), hex("sy-beta-key").toUpperCase(), hex(ADMIN_KEY), SECRET));
    assertEquals(List.of(), checked.problems());
    return checked.keys();
  }

  @Test
  void noKeysMeansAnOpenApiWithoutAnIdSecret() {
    ApiKeys.Checked checked = check("");
    assertEquals(List.of(), checked.problems());
    assertTrue(!checked.keys().enabled());
    assertEquals("job-" + HexFormat.of().formatHex(ApiKeys.sha256("idempotency-key:report-42"), 0, 20),
        checked.keys().jobIdFor(null, "report-42"), "without keys, the id of an idempotency key is as before");
  }

  @Test
  void aPresentedKeyIsFoundByItsHashWhateverTheCaseOfTheConfiguredHex() {
    ApiKeys keys = keys();
    assertTrue(keys.enabled());
    assertEquals("acme", ((ApiKeys.TenantHolder) keys.holder(ACME_KEY).orElseThrow()).tenant().name());
    assertEquals("beta", ((ApiKeys.TenantHolder) keys.holder("sy-beta-key").orElseThrow()).tenant().name());
    assertEquals(new ApiKeys.AdminHolder("ops"), keys.holder(ADMIN_KEY).orElseThrow());
    assertTrue(keys.holder("sy-acme-kez").isEmpty());
    assertTrue(keys.holder(hex(ACME_KEY)).isEmpty(), "the configured hash is not itself a key");
  }

  @Test
  void idempotencyKeysAreScopedPerTenantAndTheSameOnEveryNode() {
    ApiKeys node1 = keys();
    ApiKeys node2 = keys(); // another node, read from the same configuration
    String acme = node1.jobIdFor("acme", "report-42");
    assertEquals(acme, node1.jobIdFor("acme", "report-42"), "one tenant twice: one job");
    assertEquals(acme, node2.jobIdFor("acme", "report-42"), "through any node: the same job");
    assertNotEquals(acme, node1.jobIdFor("beta", "report-42"), "the same key by two tenants: two jobs");
    assertNotEquals(acme, node1.jobIdFor("acme", "report-43"));
    assertNotEquals(acme, check("").keys().jobIdFor("acme", "report-42"),
        "not the unkeyed digest anyone can compute from the key");
    // the tenant's length goes first: tenant "a" with key ":b" is not tenant "a:" with key "b"
    assertNotEquals(node1.jobIdFor("a", ":b"), node1.jobIdFor("a:", "b"));
    assertTrue(acme.matches("job-[0-9a-f]{40}"), acme);
    ApiError bad = assertThrows(ApiError.class, () -> node1.jobIdFor("acme", "two words"));
    assertEquals("Idempotency-Key", bad.param());
  }

  @Test
  void mistakesAreNamedByKeyPath() {
    String acme = hex(ACME_KEY);
    assertEquals(List.of(
            "switchyard.auth.keys[0].sha256: must be the 64 hex digits of the key's SHA-256 (got 6 characters;"
                + " `switchyard keys create` prints it), never the key itself",
            "switchyard.auth.keys[1].tenant: 'acmee' is not a tenant of switchyard.tenants (did you mean 'acme'?)",
            "switchyard.auth.keys[2].sha256: the same key is configured twice (in switchyard.auth.keys or"
                + " admin-keys): one key stands for one tenant or admin",
            "switchyard.auth.keys[3].tennant: unknown key (did you mean 'tenant'?); known here: sha256, tenant",
            "switchyard.auth.keys[3].tenant: missing",
            "switchyard.auth.keys[4]: must be an object { tenant = NAME, sha256 = HEX } (`switchyard keys create`"
                + " prints one)",
            "switchyard.auth.admin-keys[0].sha256: the same key is configured twice (in switchyard.auth.keys or"
                + " admin-keys): one key stands for one tenant or admin",
            "switchyard.auth.id-secret: too short (5 characters) when API keys are configured: at least 32"
                + " characters, the same on every node (job ids are derived from it and each tenant's"
                + " Idempotency-Key); make one with `switchyard keys create --id-secret`, set it here or in"
                + " SWITCHYARD_AUTH_ID_SECRET"),
        check("""
            switchyard.auth.keys = [
              { tenant = acme, sha256 = "sy-abc" },
              { tenant = acmee, sha256 = "%1$s" },
              { tenant = beta, sha256 = "%1$s" },
              { tennant = beta, sha256 = "%3$s" },
              "%3$s"
            ]
            switchyard.auth.admin-keys = [{ name = ops, sha256 = "%1$s" }, { name = ops, sha256 = "%2$s" }]
            switchyard.auth.id-secret = short
            """.formatted(acme, hex("sy-beta-key"), hex("sy-other"))).problems().stream()
            .map(ConfigProblem::line).toList());
  }

  @Test
  void keysNeedAnIdSecret() {
    assertEquals(List.of("switchyard.auth.id-secret"), check("""
        switchyard.auth.admin-keys = [{ name = ops, sha256 = "%s" }]
        """.formatted(hex(ADMIN_KEY))).problems().stream().map(ConfigProblem::path).toList());
  }
}
