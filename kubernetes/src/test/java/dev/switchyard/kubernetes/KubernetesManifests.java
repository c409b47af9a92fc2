package dev.switchyard.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The manifests in deploy/kubernetes read as the API server reads them: each YAML document into the Kubernetes API
 * type its {@code apiVersion} and {@code kind} name, from fabric8's model (generated from the Kubernetes OpenAPI
 * schema). A document of a kind the API does not have, a field of the wrong type, or a field the type does not
 * have (a misspelt {@code readinesProbe} the API server would drop or refuse) is a {@link Invalid} naming the file
 * and the field's path.
 */
final class KubernetesManifests {
  /** Where the manifests are, from the module's directory (Maven runs tests there). */
  static final Path DIR = Path.of("..", "deploy", "kubernetes");

  private static final ObjectMapper YAML = YAMLMapper.builder().build();
  private static final Map<String, Class<? extends HasMetadata>> TYPES = typesByApiVersionAndKind();

  private KubernetesManifests() {}

  /** A manifest the Kubernetes API would not accept as written. */
  static final class Invalid extends RuntimeException {
    Invalid(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Every document of every {@code *.yaml} file in {@link #DIR}, in file name order. */
  static List<HasMetadata> load() throws IOException {
    List<HasMetadata> all = new ArrayList<>();
    try (Stream<Path> files = Files.list(DIR)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        all.addAll(parse(file.getFileName().toString(), Files.readString(file)));
      }
    }
    return all;
  }

  /** The one object of {@code type} named {@code name}. */
  static <T extends HasMetadata> T one(List<HasMetadata> all, Class<T> type, String name) {
    List<T> found = all.stream().filter(type::isInstance).map(type::cast)
        .filter(o -> name.equals(o.getMetadata().getName())).toList();
    if (found.size() != 1) {
      throw new AssertionError(found.size() + " " + type.getSimpleName() + " named " + name + " in " + DIR);
    }
    return found.get(0);
  }

  /** @param source names the text in errors (a file name) */
  static List<HasMetadata> parse(String source, String yaml) {
    List<HasMetadata> objects = new ArrayList<>();
    try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(yaml)) {
      int index = 0;
      while (documents.hasNext()) {
        JsonNode document = documents.next();
        index++;
        if (document == null || document.isNull() || document.isMissingNode()) {
          continue;
        }
        String where = source + " document " + index;
        String apiVersion = document.path("apiVersion").asString("");
        String kind = document.path("kind").asString("");
        Class<? extends HasMetadata> type = TYPES.get(apiVersion + "/" + kind);
        if (type == null) {
          throw new Invalid(where + ": the Kubernetes API has no kind '" + kind + "' in apiVersion '" + apiVersion
              + "'", null);
        }
        HasMetadata object;
        try {
          object = YAML.treeToValue(document, type);
        } catch (JacksonException e) {
          throw new Invalid(where + " (" + kind + "): " + e.getOriginalMessage(), e);
        }
        unknownFields(object, kind).ifPresent(path -> {
          throw new Invalid(where + " (" + kind + "): " + path + " is not a field of the Kubernetes API", null);
        });
        objects.add(object);
      }
    } catch (JacksonException e) {
      throw new Invalid(source + ": not YAML: " + e.getOriginalMessage(), e);
    }
    return objects;
  }

  /**
   * The path of the first field the model kept aside as an additional property: fabric8's types keep fields their
   * schema lacks in {@code additionalProperties} rather than failing, so that is where a misspelt one lands.
   */
  private static Optional<String> unknownFields(Object value, String path) {
    if (value == null) {
      return Optional.empty();
    }
    if (value instanceof Collection<?> items) {
      int i = 0;
      for (Object item : items) {
        Optional<String> found = unknownFields(item, path + "[" + i++ + "]");
        if (found.isPresent()) {
          return found;
        }
      }
      return Optional.empty();
    }
    if (value instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        Optional<String> found = unknownFields(e.getValue(), path + "." + e.getKey());
        if (found.isPresent()) {
          return found;
        }
      }
      return Optional.empty();
    }
    if (!(value instanceof KubernetesResource)) {
      return Optional.empty(); // a string, number, Quantity, IntOrString ...
    }
    for (Method getter : value.getClass().getMethods()) {
      if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
          || !getter.getName().startsWith("get") || getter.getDeclaringClass() == Object.class) {
        continue;
      }
      Object field;
      try {
        field = getter.invoke(value);
      } catch (IllegalAccessException | InvocationTargetException e) {
        continue; // a derived getter that needs more than the parsed fields
      }
      if (getter.getName().equals("getAdditionalProperties")) {
        if (field instanceof Map<?, ?> extra && !extra.isEmpty()) {
          return Optional.of(path + "." + extra.keySet().iterator().next());
        }
        continue;
      }
      String name = Character.toLowerCase(getter.getName().charAt(3)) + getter.getName().substring(4);
      Optional<String> found = unknownFields(field, path + "." + name);
      if (found.isPresent()) {
        return found;
      }
    }
    return Optional.empty();
  }

  /** The model's registry of top-level types (the service file fabric8 ships), by apiVersion and kind. */
  @SuppressWarnings("unchecked")
  private static Map<String, Class<? extends HasMetadata>> typesByApiVersionAndKind() {
    Map<String, Class<? extends HasMetadata>> types = new HashMap<>();
    try {
      ClassLoader loader = KubernetesManifests.class.getClassLoader();
      Enumeration<URL> lists = loader.getResources("META-INF/services/" + KubernetesResource.class.getName());
      while (lists.hasMoreElements()) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(lists.nextElement().openStream(),
            StandardCharsets.UTF_8))) {
          for (String line; (line = in.readLine()) != null; ) {
            String name = line.strip();
            if (name.isEmpty() || name.startsWith("#")) {
              continue;
            }
            Class<?> type = Class.forName(name, false, loader);
            if (HasMetadata.class.isAssignableFrom(type) && !Modifier.isAbstract(type.getModifiers())) {
              Class<? extends HasMetadata> resource = (Class<? extends HasMetadata>) type;
              types.put(HasMetadata.getApiVersion(resource) + "/" + HasMetadata.getKind(resource), resource);
            }
          }
        }
      }
    } catch (IOException | ClassNotFoundException e) {
      throw new IllegalStateException("fabric8's Kubernetes model registry could not be read", e);
    }
    if (types.isEmpty()) {
      throw new IllegalStateException("no Kubernetes API types on the classpath (fabric8 kubernetes-model)");
    }
    return types;
  }
}
