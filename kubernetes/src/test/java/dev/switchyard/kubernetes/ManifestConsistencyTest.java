package dev.switchyard.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.actors.NodeConfig;
import dev.switchyard.ops.SwitchyardCliTest;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manifests and the kubernetes profile (what {@code serve --profile kubernetes} loads) say the same things:
 * the ports the node listens on, the path it is ready on, the label cluster bootstrap selects pods by, how many
 * pods it waits for, and a heap the memory limit holds.
 */
class ManifestConsistencyTest {
  static List<HasMetadata> manifests;
  static Config profile;
  static StatefulSet statefulSet;
  static Container container;

  @BeforeAll
  static void load() throws Exception {
    manifests = KubernetesManifests.load();
    profile = NodeConfig.load(ConfigFactory.empty(), ConfigFactory.empty(), "kubernetes", Map.of());
    statefulSet = KubernetesManifests.one(manifests, StatefulSet.class, "switchyard");
    container = statefulSet.getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  @Test
  void theContainerPortsAreTheProfilesAndReadinessIsTheReadyPathOnTheHttpPort() {
    assertEquals(profile.getInt("switchyard.http.port"), port("http").getContainerPort());
    assertEquals(profile.getInt("pekko.remote.artery.canonical.port"), port("remoting").getContainerPort());
    assertEquals(profile.getInt("pekko.management.http.port"), port("management").getContainerPort());
    // cluster bootstrap probes each pod on the container port its discovery names
    assertEquals("management", profile.getString("pekko.management.cluster.bootstrap.contact-point-discovery.port-name"));

    assertEquals("/ready", container.getReadinessProbe().getHttpGet().getPath());
    assertEquals("http", container.getReadinessProbe().getHttpGet().getPort().getStrVal());
    assertEquals("/health", container.getLivenessProbe().getHttpGet().getPath());
    assertEquals("http", container.getLivenessProbe().getHttpGet().getPort().getStrVal());
    assertEquals(List.of("serve", "--profile", "kubernetes"), container.getArgs());
    // the node binds every interface in a pod and advertises its pod IP
    assertEquals("status.podIP", env("SWITCHYARD_HOST").getValueFrom().getFieldRef().getFieldPath());
    assertEquals("0.0.0.0", env("SWITCHYARD_HTTP_HOST").getValue());
    assertEquals("0.0.0.0", env("SWITCHYARD_BIND_HOST").getValue());
    assertEquals("0.0.0.0", env("SWITCHYARD_MANAGEMENT_BIND_HOST").getValue());
    // serve refuses a non-loopback API without keys unless told so; the example fleet configures none
    assertEquals("on", env("SWITCHYARD_AUTH_ALLOW_UNAUTHENTICATED").getValue());
  }

  @Test
  void clusterBootstrapSelectsExactlyTheStatefulSetsPodsAndWaitsForAllReplicas() {
    String service = profile.getString("pekko.management.cluster.bootstrap.contact-point-discovery.service-name");
    String selector = String.format(profile.getString("pekko.discovery.kubernetes-api.pod-label-selector"), service);
    Map<String, String> selected = labels(selector);
    Map<String, String> podLabels = statefulSet.getSpec().getTemplate().getMetadata().getLabels();
    assertTrue(podLabels.entrySet().containsAll(selected.entrySet()), podLabels + " not selected by " + selector);
    assertEquals(selected, statefulSet.getSpec().getSelector().getMatchLabels());
    assertEquals("kubernetes-api",
        profile.getString("pekko.management.cluster.bootstrap.contact-point-discovery.discovery-method"));
    assertEquals(List.of(), profile.getStringList("pekko.cluster.seed-nodes"));

    assertEquals(Integer.toString(statefulSet.getSpec().getReplicas()),
        env("SWITCHYARD_REQUIRED_CONTACT_POINTS").getValue());
    // OrderedReady would start pod 1 only once pod 0 is ready, which it is only in a formed cluster
    assertEquals("Parallel", statefulSet.getSpec().getPodManagementPolicy());

    Service headless = KubernetesManifests.one(manifests, Service.class, "switchyard-cluster");
    assertEquals(headless.getMetadata().getName(), statefulSet.getSpec().getServiceName());
    assertEquals("None", headless.getSpec().getClusterIP());
    assertTrue(headless.getSpec().getPublishNotReadyAddresses(), "unready pods must be reachable to join");
    assertEquals(selected, headless.getSpec().getSelector());
    assertEquals(Set.of("remoting", "management"), headless.getSpec().getPorts().stream()
        .map(ServicePort::getTargetPort).map(p -> p.getStrVal()).collect(Collectors.toSet()));
    Service http = KubernetesManifests.one(manifests, Service.class, "switchyard");
    assertEquals(selected, http.getSpec().getSelector());
    assertEquals("http", http.getSpec().getPorts().get(0).getTargetPort().getStrVal());
    assertEquals(selected, KubernetesManifests.one(manifests, PodDisruptionBudget.class, "switchyard").getSpec()
        .getSelector().getMatchLabels());
  }

  @Test
  void thePodsServiceAccountMayListThePodsDiscoveryAsksFor() {
    String account = statefulSet.getSpec().getTemplate().getSpec().getServiceAccountName();
    RoleBinding binding = KubernetesManifests.one(manifests, RoleBinding.class, "switchyard-pod-reader");
    assertEquals(List.of("ServiceAccount " + account), binding.getSubjects().stream()
        .map(s -> s.getKind() + " " + s.getName()).toList());
    Role role = KubernetesManifests.one(manifests, Role.class, binding.getRoleRef().getName());
    assertEquals("Role", binding.getRoleRef().getKind());
    assertTrue(role.getRules().stream().anyMatch(r -> r.getApiGroups().contains("")
        && r.getResources().contains("pods") && r.getVerbs().contains("list")), role.getRules().toString());
  }

  @Test
  void theHeapIsHalfTheMemoryLimitAtMost() {
    String options = env("JAVA_TOOL_OPTIONS").getValue();
    String xmx = Arrays.stream(options.split("\\s+")).filter(o -> o.startsWith("-Xmx")).findFirst()
        .orElseThrow(() -> new AssertionError("no -Xmx in JAVA_TOOL_OPTIONS: " + options));
    long heap = jvmSize(xmx.substring("-Xmx".length()));
    long limit = Quantity.getAmountInBytes(container.getResources().getLimits().get("memory")).longValueExact();
    // resident was the heap plus about 250 MB (docs/BENCHMARKS.md, "Memory"): past the limit the kernel kills the pod
    assertTrue(2 * heap <= limit, "heap " + heap + " B, limit " + limit + " B");
    assertEquals(container.getResources().getRequests().get("memory"), container.getResources().getLimits().get("memory"));
  }

  @Test
  void theJournalComesFromThePostgresSecretAndTheGraceCoversTheDrain() {
    for (String variable : List.of("SWITCHYARD_PG_URL", "SWITCHYARD_PG_USER", "SWITCHYARD_PG_PASSWORD")) {
      assertEquals("switchyard-postgres", env(variable).getValueFrom().getSecretKeyRef().getName(), variable);
    }
    assertEquals("slick.jdbc.PostgresProfile$", profile.getString("pekko-persistence-jdbc.shared-databases.slick.profile"));
    long drainSeconds = profile.getDuration("switchyard.http.shutdown-deadline").toSeconds();
    // the drain, then leaving the cluster (coordinated shutdown's cluster phases, 10 s each at most)
    assertTrue(statefulSet.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds() >= drainSeconds + 30);
  }

  @Test
  void theConfigMapsFleetPassesConfigCheck(@TempDir Path dir) throws Exception {
    ConfigMap fleet = KubernetesManifests.one(manifests, ConfigMap.class, "switchyard-fleet");
    assertEquals("/etc/switchyard/fleet.conf", env("SWITCHYARD_CONFIG").getValue());
    Path file = Files.writeString(dir.resolve("fleet.conf"), fleet.getData().get("fleet.conf"));
    SwitchyardCliTest.Run check = SwitchyardCliTest.run("config", "check", file.toString());
    assertEquals(0, check.exit(), check.err());
    assertTrue(check.out().contains("ok: 2 models"), check.out());
  }

  private static ContainerPort port(String name) {
    return container.getPorts().stream().filter(p -> name.equals(p.getName())).findFirst()
        .orElseThrow(() -> new AssertionError("no container port named " + name));
  }

  private static EnvVar env(String name) {
    Optional<EnvVar> found = container.getEnv().stream().filter(e -> name.equals(e.getName())).findFirst();
    return found.orElseThrow(() -> new AssertionError("no " + name + " in the container's env"));
  }

  /** A selector of equality terms, {@code a=b,c=d}. */
  private static Map<String, String> labels(String selector) {
    return Arrays.stream(selector.split(",")).map(term -> term.split("=", 2))
        .collect(Collectors.toMap(kv -> kv[0].strip(), kv -> kv[1].strip()));
  }

  /** A JVM size as -Xmx takes it: 512m, 1g, 1048576k. */
  private static long jvmSize(String size) {
    char unit = Character.toLowerCase(size.charAt(size.length() - 1));
    long number = Long.parseLong(Character.isDigit(unit) ? size : size.substring(0, size.length() - 1));
    return switch (unit) {
      case 'k' -> number << 10;
      case 'm' -> number << 20;
      case 'g' -> number << 30;
      default -> number;
    };
  }
}
