package dev.switchyard.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** deploy/kubernetes holds only objects the Kubernetes API accepts as written: its kinds, its fields, its types. */
class ManifestSchemaTest {
  @Test
  void everyManifestIsAKubernetesObjectWithOnlyTheFieldsItsTypeHas() throws Exception {
    List<HasMetadata> all = KubernetesManifests.load();
    Set<String> kinds = all.stream().map(o -> o.getKind() + " " + o.getMetadata().getName())
        .collect(Collectors.toSet());
    assertEquals(Set.of("ServiceAccount switchyard", "Role switchyard-pod-reader", "RoleBinding switchyard-pod-reader",
        "Service switchyard-cluster", "Service switchyard", "ConfigMap switchyard-fleet", "StatefulSet switchyard",
        "PodDisruptionBudget switchyard"), kinds);
    // each read into the API's own type, not a generic map
    KubernetesManifests.one(all, ServiceAccount.class, "switchyard");
    KubernetesManifests.one(all, Role.class, "switchyard-pod-reader");
    KubernetesManifests.one(all, RoleBinding.class, "switchyard-pod-reader");
    KubernetesManifests.one(all, Service.class, "switchyard-cluster");
    KubernetesManifests.one(all, ConfigMap.class, "switchyard-fleet");
    KubernetesManifests.one(all, StatefulSet.class, "switchyard");
    KubernetesManifests.one(all, PodDisruptionBudget.class, "switchyard");
  }

  /** What the check above would catch: the mistakes kubectl reports (or, worse, a lenient server drops silently). */
  @Test
  void aMisspeltFieldAWrongTypeOrAnUnknownKindIsRefusedWithItsPath() {
    String misspelt = """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: s}
        spec:
          serviceName: s
          selector: {matchLabels: {a: b}}
          template:
            metadata: {labels: {a: b}}
            spec:
              containers:
                - name: c
                  image: i
                  readinesProbe: {httpGet: {path: /ready, port: 8080}}
        """;
    KubernetesManifests.Invalid field = assertThrows(KubernetesManifests.Invalid.class,
        () -> KubernetesManifests.parse("misspelt.yaml", misspelt));
    assertTrue(field.getMessage().contains("StatefulSet.spec.template.spec.containers[0].readinesProbe"),
        field.getMessage());

    String wrongType = """
        apiVersion: v1
        kind: Service
        metadata: {name: s}
        spec:
          ports:
            - {name: http, port: eighty}
        """;
    KubernetesManifests.Invalid type = assertThrows(KubernetesManifests.Invalid.class,
        () -> KubernetesManifests.parse("wrong-type.yaml", wrongType));
    assertTrue(type.getMessage().startsWith("wrong-type.yaml document 1 (Service)"), type.getMessage());

    KubernetesManifests.Invalid kind = assertThrows(KubernetesManifests.Invalid.class,
        () -> KubernetesManifests.parse("kind.yaml", "apiVersion: apps/v1\nkind: StatefullSet\nmetadata: {name: s}\n"));
    assertTrue(kind.getMessage().contains("no kind 'StatefullSet' in apiVersion 'apps/v1'"), kind.getMessage());
  }
}
