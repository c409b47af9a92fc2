package dev.switchyard.strategies.artifact;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.ImmutableCollectionsSerializers;
import com.esotericsoftware.kryo.util.DefaultInstantiatorStrategy;
import dev.switchyard.strategies.Strategy;
import java.util.Base64;
import org.objenesis.strategy.StdInstantiatorStrategy;

/**
 * A fitted strategy as bytes and back: Kryo over the object graph the strategy's {@code fit} built (its
 * parameters, tables and fitted models), by field, with shared references kept. What a policy artifact holds, so
 * that serving starts from the fitted state instead of fitting again. The bytes are tied to this build's classes:
 * an artifact names the format version it was written with and is refused by a build that reads another.
 */
public final class FittedState {
  private FittedState() {}

  private static Kryo kryo() {
    Kryo kryo = new Kryo();
    kryo.setRegistrationRequired(false);
    kryo.setReferences(true);
    kryo.setInstantiatorStrategy(new DefaultInstantiatorStrategy(new StdInstantiatorStrategy()));
    ImmutableCollectionsSerializers.registerSerializers(kryo);
    return kryo;
  }

  /** The fitted state of {@code strategy}, base64-encoded. */
  public static String encode(Strategy strategy) {
    Output out = new Output(64 * 1024, -1);
    kryo().writeClassAndObject(out, strategy);
    return Base64.getEncoder().encodeToString(out.toBytes());
  }

  /** The strategy {@link #encode} wrote, fitted as it was. */
  public static Strategy decode(String state) {
    Object o = kryo().readClassAndObject(new Input(Base64.getDecoder().decode(state)));
    if (!(o instanceof Strategy s)) {
      throw new IllegalArgumentException("the fitted state holds a " + o.getClass().getName() + ", not a strategy");
    }
    return s;
  }
}
