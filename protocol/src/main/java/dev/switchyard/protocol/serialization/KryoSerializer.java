package dev.switchyard.protocol.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.ImmutableCollectionsSerializers;
import com.esotericsoftware.kryo.util.DefaultClassResolver;
import com.esotericsoftware.kryo.util.Pool;
import com.typesafe.config.Config;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * Pekko serializer for everything marked {@link dev.switchyard.protocol.CrossNode}, backed by Kryo with
 * registration required: an unregistered class fails instead of being written by name, so the wire format is
 * exactly the registered ids. The manifest is empty because the class id travels inside the bytes.
 *
 * <p>Configuration ({@code switchyard.kryo}): {@code serializer-id} and {@code registrars}, the fully qualified
 * names of {@link KryoRegistrar}s by a name of each module's own, run in the order of those names
 * ({@link #registrarNames}) after the built-in registrations (immutable collections first, because they take the
 * lowest free ids; then fixed ids 29-39 for ActorRef and JDK types).
 */
public final class KryoSerializer extends SerializerWithStringManifest {
  private static final int POOL_SIZE = 64;

  private final int identifier;
  private final Pool<Kryo> kryos;
  private final Pool<Output> outputs;

  public KryoSerializer(ExtendedActorSystem system) {
    Config config = system.settings().config().getConfig("switchyard.kryo");
    this.identifier = config.getInt("serializer-id");
    List<KryoRegistrar> registrars = registrarNames(system.settings().config()).stream()
        .map(name -> instantiate(system, name)).toList();
    Supplier resolver = new Supplier(system);
    this.kryos = new Pool<>(true, false, POOL_SIZE) {
      @Override
      protected Kryo create() {
        return newKryo(resolver, registrars);
      }
    };
    this.outputs = new Pool<>(true, false, POOL_SIZE) {
      @Override
      protected Output create() {
        return new Output(4096, -1);
      }
    };
  }

  /** A Kryo configured exactly as the serializer's, for tests and tools that need the same ids. */
  public static Kryo newKryo(java.util.function.Supplier<ActorRefResolver> resolver, List<KryoRegistrar> registrars) {
    Kryo kryo = new Kryo(new ActorRefClassResolver(), null);
    kryo.setRegistrationRequired(true);
    kryo.setReferences(false);
    ImmutableCollectionsSerializers.registerSerializers(kryo);
    kryo.register(ActorRef.class, new ActorRefKryoSerializer(resolver), 29);
    kryo.register(ArrayList.class, 30);
    kryo.register(HashMap.class, 31);
    kryo.register(LinkedHashMap.class, 32);
    // UUID has private fields the module system closes to reflection: it needs its own serializer.
    kryo.register(UUID.class, new com.esotericsoftware.kryo.serializers.DefaultSerializers.UUIDSerializer(), 33);
    kryo.register(byte[].class, 34);
    kryo.register(Optional.class, 35);
    kryo.register(Instant.class, 36);
    kryo.register(Duration.class, 37);
    kryo.register(double[].class, 38);
    kryo.register(String[].class, 39);
    registrars.forEach(r -> r.register(kryo));
    return kryo;
  }

  @Override
  public int identifier() {
    return identifier;
  }

  @Override
  public String manifest(Object o) {
    return "";
  }

  @Override
  public byte[] toBinary(Object o) {
    Kryo kryo = kryos.obtain();
    Output output = outputs.obtain();
    try {
      output.reset();
      kryo.writeClassAndObject(output, o);
      return output.toBytes();
    } finally {
      outputs.free(output);
      kryos.free(kryo);
    }
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) {
    Kryo kryo = kryos.obtain();
    try {
      return kryo.readClassAndObject(new Input(bytes));
    } finally {
      kryos.free(kryo);
    }
  }

  /**
   * The class names of {@code switchyard.kryo.registrars} in the order they run: by the module names they are
   * filed under (an object each module's reference.conf adds to, whatever the class path order).
   */
  public static List<String> registrarNames(Config config) {
    Config registrars = config.getConfig("switchyard.kryo.registrars");
    return new java.util.TreeSet<>(registrars.root().keySet()).stream().map(registrars::getString).toList();
  }

  private static KryoRegistrar instantiate(ExtendedActorSystem system, String className) {
    try {
      return system.dynamicAccess().getClassFor(className, scala.reflect.ClassTag$.MODULE$.apply(KryoRegistrar.class))
          .get().asSubclass(KryoRegistrar.class).getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalArgumentException("switchyard.kryo.registrars: cannot instantiate " + className, e);
    }
  }

  /** Resolves lazily: the serializer is constructed while the actor system is still starting. */
  private static final class Supplier implements java.util.function.Supplier<ActorRefResolver> {
    private final ExtendedActorSystem system;
    private volatile ActorRefResolver resolver;

    Supplier(ExtendedActorSystem system) {
      this.system = system;
    }

    @Override
    public ActorRefResolver get() {
      if (resolver == null) {
        resolver = ActorRefResolver.get(Adapter.toTyped(system));
      }
      return resolver;
    }
  }

  /** Maps every implementation of the typed ActorRef (adapters, ask refs, sharding refs) to its one id. */
  private static final class ActorRefClassResolver extends DefaultClassResolver {
    @Override
    public Registration getRegistration(Class type) {
      if (ActorRef.class.isAssignableFrom(type) && type != ActorRef.class) {
        return super.getRegistration(ActorRef.class);
      }
      return super.getRegistration(type);
    }
  }
}
