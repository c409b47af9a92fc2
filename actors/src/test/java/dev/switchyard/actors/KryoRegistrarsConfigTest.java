package dev.switchyard.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.protocol.serialization.KryoSerializer;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every node runs the protocol's and the engine's Kryo registrars whatever the order of the jars on its class
 * path. The reference.conf files of the jars are merged in class path order, the first winning; with the
 * registrars as one list, a path with the protocol jar first (serve's {@code lib/*} is in directory order) ran
 * the protocol's registrar alone, and every engine message between nodes failed to serialize ("Class is not
 * registered: ...ModelPool$Wake"). Here the two modules' own reference.conf files are merged both ways round.
 */
class KryoRegistrarsConfigTest {
  private static final List<String> BOTH = List.of("dev.switchyard.actors.ActorsKryoRegistrar",
      "dev.switchyard.protocol.serialization.ProtocolKryoRegistrar");

  @Test
  void bothModulesRegistrarsRunInEitherClassPathOrder() throws Exception {
    List<Config> references = new ArrayList<>();
    for (URL url : Collections.list(getClass().getClassLoader().getResources("reference.conf"))) {
      Config reference = ConfigFactory.parseURL(url);
      if (reference.hasPath("switchyard.kryo")) {
        references.add(reference);
      }
    }
    assertEquals(2, references.size(), "the protocol's and the actors module's reference.conf");
    Config protocolFirst = references.get(0).withFallback(references.get(1)).resolve();
    Config actorsFirst = references.get(1).withFallback(references.get(0)).resolve();
    assertEquals(BOTH, KryoSerializer.registrarNames(protocolFirst));
    assertEquals(BOTH, KryoSerializer.registrarNames(actorsFirst));
  }
}
