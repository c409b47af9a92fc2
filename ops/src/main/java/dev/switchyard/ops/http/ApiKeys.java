package dev.switchyard.ops.http;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.switchyard.actors.fleet.ConfigProblem;
import dev.switchyard.actors.fleet.KnownKeys;
import dev.switchyard.actors.fleet.TenantSpec;
import dev.switchyard.actors.fleet.Tenants;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The API keys of {@code switchyard.auth} (see the ops {@code reference.conf}): each tenant key and admin key only as
 * the SHA-256 of the key, never in clear. A presented key is hashed and compared with every configured hash by
 * {@link MessageDigest#isEqual} (constant time), so neither the hashes nor the timing of a refusal tell what a key
 * is. With no key configured the API is open and {@link #enabled()} is false (every request is of no tenant).
 *
 * @param tenantKeys the keys of tenants, each naming a tenant of {@code switchyard.tenants}
 * @param adminKeys the keys of the admin routes ({@code /admin/*}), each with a name for the operator
 * @param idSecret what job ids are derived from with a tenant's Idempotency-Key (see {@link #jobIdFor}); empty
 *     when no key is configured
 * @param allowUnauthenticated {@code serve} may bind a non-loopback address without keys
 * @param tenants the tenants the keys stand for
 */
public record ApiKeys(List<Key> tenantKeys, List<Key> adminKeys, byte[] idSecret, boolean allowUnauthenticated,
    Tenants tenants) {
  public static final String AUTH = "switchyard.auth";
  public static final ApiKeys NONE = new ApiKeys(List.of(), List.of(), new byte[0], false, Tenants.NONE);
  /** The shortest {@code id-secret}: 32 characters (what {@code keys create --id-secret} prints has 46). */
  static final int MIN_ID_SECRET_CHARS = 32;

  /**
   * One configured key: its SHA-256 and whom it stands for (a tenant's name, or an admin key's name).
   *
   * @param sha256 the 32 bytes of the key's SHA-256
   */
  public record Key(String owner, byte[] sha256) {}

  /** Who presented a key: a tenant (with its spec) or an admin. */
  public sealed interface Holder {}

  public record TenantHolder(TenantSpec tenant) implements Holder {}

  public record AdminHolder(String name) implements Holder {}

  public ApiKeys {
    tenantKeys = List.copyOf(tenantKeys);
    adminKeys = List.copyOf(adminKeys);
    idSecret = idSecret.clone();
  }

  /** Whether any key is configured: then every {@code /v1} and {@code /admin} request must present one. */
  public boolean enabled() {
    return !tenantKeys.isEmpty() || !adminKeys.isEmpty();
  }

  /** The configured keys and the problems found reading them; usable only without problems. */
  public record Checked(ApiKeys keys, List<ConfigProblem> problems) {
    public boolean ok() {
      return problems.isEmpty();
    }
  }

  /**
   * Reads {@code switchyard.auth} of the resolved configuration {@code root}, each problem named by its key path:
   * a hash that is not 64 hex digits, a tenant not in {@code tenants}, a hash given twice, an unknown key in an
   * entry, a missing or short {@code id-secret} while keys are configured.
   */
  public static Checked check(Config root, Tenants tenants) {
    List<ConfigProblem> problems = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    List<Key> tenantKeys = entries(root, AUTH + ".keys", "tenant", problems, seen, name -> {
      if (tenants.get(name).isEmpty()) {
        return Optional.of("'" + name + "' is not a tenant of " + Tenants.TENANTS
            + KnownKeys.nearest(name, tenants.byName().keySet()).map(n -> " (did you mean '" + n + "'?)")
            .orElse(tenants.isEmpty() ? " (none is configured: add switchyard.tenants." + name + " {})"
                : "; tenants: " + String.join(", ", new java.util.TreeSet<>(tenants.byName().keySet()))));
      }
      return Optional.empty();
    });
    List<Key> adminKeys = entries(root, AUTH + ".admin-keys", "name", problems, seen, name -> Optional.empty());
    String secret = root.getString(AUTH + ".id-secret");
    boolean keyed = !tenantKeys.isEmpty() || !adminKeys.isEmpty() || problems.stream()
        .anyMatch(p -> p.path().startsWith(AUTH + ".keys") || p.path().startsWith(AUTH + ".admin-keys"));
    if (keyed && secret.length() < MIN_ID_SECRET_CHARS) {
      problems.add(new ConfigProblem(AUTH + ".id-secret", (secret.isEmpty() ? "required" : "too short ("
          + secret.length() + " characters)") + " when API keys are configured: at least " + MIN_ID_SECRET_CHARS
          + " characters, the same on every node (job ids are derived from it and each tenant's Idempotency-Key);"
          + " make one with `switchyard keys create --id-secret`, set it here or in SWITCHYARD_AUTH_ID_SECRET"));
    }
    boolean allow = root.getBoolean(AUTH + ".allow-unauthenticated");
    byte[] secretBytes = keyed ? secret.getBytes(StandardCharsets.UTF_8) : new byte[0];
    return new Checked(new ApiKeys(tenantKeys, adminKeys, secretBytes, allow, tenants), problems);
  }

  private static List<Key> entries(Config root, String path, String ownerKey, List<ConfigProblem> problems,
      Set<String> seen, java.util.function.Function<String, Optional<String>> ownerProblem) {
    List<Key> out = new ArrayList<>();
    List<? extends ConfigValue> list;
    try {
      list = root.getList(path);
    } catch (ConfigException e) {
      problems.add(new ConfigProblem(path, "must be a list: [{ " + ownerKey + " = NAME, sha256 = HEX }]"));
      return out;
    }
    for (int i = 0; i < list.size(); i++) {
      String at = path + "[" + i + "]";
      if (list.get(i).valueType() != ConfigValueType.OBJECT) {
        problems.add(new ConfigProblem(at, "must be an object { " + ownerKey + " = NAME, sha256 = HEX }"
            + " (`switchyard keys create` prints one)"));
        continue;
      }
      Config entry = ((ConfigObject) list.get(i)).toConfig();
      int before = problems.size();
      KnownKeys.check(at, entry, Set.of(ownerKey, "sha256"), problems);
      String owner = text(entry, ownerKey, at, problems);
      String hex = text(entry, "sha256", at, problems);
      if (owner != null) {
        ownerProblem.apply(owner).ifPresent(p -> problems.add(new ConfigProblem(at + "." + ownerKey, p)));
      }
      byte[] hash = null;
      if (hex != null) {
        String normal = hex.toLowerCase(java.util.Locale.ROOT);
        if (normal.length() != 64 || !normal.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
          problems.add(new ConfigProblem(at + ".sha256", "must be the 64 hex digits of the key's SHA-256 (got "
              + normal.length() + " characters; `switchyard keys create` prints it), never the key itself"));
        } else if (!seen.add(normal)) {
          problems.add(new ConfigProblem(at + ".sha256", "the same key is configured twice (in "
              + AUTH + ".keys or admin-keys): one key stands for one tenant or admin"));
        } else {
          hash = HexFormat.of().parseHex(normal);
        }
      }
      if (problems.size() == before && hash != null && owner != null) {
        out.add(new Key(owner, hash));
      }
    }
    return out;
  }

  private static String text(Config entry, String key, String at, List<ConfigProblem> problems) {
    if (!entry.hasPath(key)) {
      problems.add(new ConfigProblem(at + "." + key, "missing"));
      return null;
    }
    try {
      String v = entry.getString(key);
      if (v.isBlank()) {
        problems.add(new ConfigProblem(at + "." + key, "must not be empty"));
        return null;
      }
      return v;
    } catch (ConfigException e) {
      problems.add(new ConfigProblem(at + "." + key, "must be a string"));
      return null;
    }
  }

  /**
   * Whom {@code presented} (the key after {@code Bearer }) stands for, empty for no configured key. Every hash is
   * compared, whichever matches.
   */
  public Optional<Holder> holder(String presented) {
    byte[] hash = sha256(presented);
    Holder found = null;
    for (Key k : tenantKeys) {
      if (MessageDigest.isEqual(k.sha256(), hash) && found == null) {
        found = tenants.get(k.owner()).<Holder>map(TenantHolder::new).orElse(null);
      }
    }
    for (Key k : adminKeys) {
      if (MessageDigest.isEqual(k.sha256(), hash) && found == null) {
        found = new AdminHolder(k.owner());
      }
    }
    return Optional.ofNullable(found);
  }

  /** The SHA-256 of a key's UTF-8 bytes, as configured in {@code sha256}. */
  public static byte[] sha256(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /**
   * The job id an Idempotency-Key stands for, for {@code tenant} (null without keys). With keys configured it is
   * the HMAC-SHA256 under {@code id-secret} of the tenant and the key: the same on every node (each has the same
   * secret), so a retry through any node finds its job; two tenants' equal keys are two jobs; and without the
   * secret nobody can compute a job's id from a guessed key such as {@code report-42}. A random secret per node
   * would give one key different jobs on different nodes, and a secret derived from the key hashes would change
   * every job id when a key is added. Without keys (no tenants to keep apart, no caller to refuse) it is the
   * key's plain SHA-256, as before keys existed. Either way a digest: the key's content never becomes an actor
   * name.
   */
  public String jobIdFor(String tenant, String idempotencyKey) {
    if (idempotencyKey.isEmpty() || idempotencyKey.length() > 255
        || !idempotencyKey.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
      throw ApiError.invalid("Idempotency-Key", "the Idempotency-Key header must be 1 to 255 visible ASCII"
          + " characters");
    }
    byte[] digest;
    if (idSecret.length == 0) {
      digest = sha256("idempotency-key:" + idempotencyKey);
    } else {
      try {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(idSecret, "HmacSHA256"));
        String owner = tenant == null ? "" : tenant;
        // the tenant's length first: no tenant and key can be read as another tenant and key
        digest = mac.doFinal((owner.length() + ":" + owner + ":" + idempotencyKey).getBytes(StandardCharsets.UTF_8));
      } catch (NoSuchAlgorithmException | InvalidKeyException e) {
        throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
      }
    }
    return "job-" + HexFormat.of().formatHex(digest, 0, 20);
  }
}
