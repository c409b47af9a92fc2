package dev.switchyard.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.Kryo;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.protocol.CrossNode;
import dev.switchyard.protocol.serialization.KryoRegistrar;
import dev.switchyard.protocol.serialization.KryoSerializer;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every concrete {@link CrossNode} class compiled in protocol and actors (class directories or jars) has a Kryo id, with the registrars the
 * node runs ({@code switchyard.kryo.registrars}): a message added without one would fail only when it first
 * crossed a node.
 */
@ExtendWith(LogCapturingExtension.class)
class CrossNodeRegistrationTest {

  @Test
  void everyCrossNodeClassOfProtocolAndActorsIsRegistered() throws Exception {
    List<Class<?>> crossNode = new ArrayList<>();
    crossNode.addAll(crossNodeClasses(CrossNode.class));
    crossNode.addAll(crossNodeClasses(ActorsKryoRegistrar.class));
    // the scan itself works: it sees public and package-private messages of both modules
    List<String> names = crossNode.stream().map(Class::getName).toList();
    assertTrue(names.contains("dev.switchyard.protocol.Query"), names.toString());
    assertTrue(names.contains("dev.switchyard.actors.query.QueryActor$PoolReplied"), names.toString());

    Kryo kryo = KryoSerializer.newKryo(() -> null, registrars());
    TreeSet<String> missing = new TreeSet<>();
    for (Class<?> c : crossNode) {
      if (kryo.getClassResolver().getRegistration(c) == null) {
        missing.add(c.getName());
      }
    }
    assertEquals(new TreeSet<String>(), missing, "CrossNode classes without a Kryo id (register them beside their"
        + " messages, e.g. in their package's XxxKryo)");
  }

  private static List<KryoRegistrar> registrars() throws ReflectiveOperationException {
    List<KryoRegistrar> registrars = new ArrayList<>();
    for (String name : KryoSerializer.registrarNames(ConfigFactory.load())) {
      registrars.add((KryoRegistrar) Class.forName(name).getDeclaredConstructor().newInstance());
    }
    return registrars;
  }

  /** The concrete CrossNode classes compiled into the directory or jar that holds {@code anchor}. */
  private static List<Class<?>> crossNodeClasses(Class<?> anchor) throws IOException, URISyntaxException,
      ClassNotFoundException {
    Path location = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<Class<?>> found = new ArrayList<>();
    for (String name : classNames(location)) {
      Class<?> c = Class.forName(name, false, anchor.getClassLoader());
      if (CrossNode.class.isAssignableFrom(c) && !c.isInterface() && !Modifier.isAbstract(c.getModifiers())
          && !c.isAnonymousClass() && !c.isLocalClass() && !c.isSynthetic()) {
        found.add(c);
      }
    }
    return found;
  }

  /** The binary names of the classes in a classes directory (reactor test runs) or a jar (verify runs). */
  private static List<String> classNames(Path location) throws IOException {
    List<String> paths = new ArrayList<>();
    if (Files.isDirectory(location)) {
      try (Stream<Path> files = Files.walk(location)) {
        files.map(f -> location.relativize(f).toString().replace(f.getFileSystem().getSeparator(), "/"))
            .forEach(paths::add);
      }
    } else {
      try (JarFile jar = new JarFile(location.toFile())) {
        jar.stream().map(JarEntry::getName).forEach(paths::add);
      }
    }
    return paths.stream().filter(p -> p.endsWith(".class") && !p.endsWith("module-info.class"))
        .map(p -> p.substring(0, p.length() - ".class".length()).replace('/', '.')).toList();
  }
}
