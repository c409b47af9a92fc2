package dev.switchyard.actors.shadow;

import com.esotericsoftware.kryo.Kryo;

/**
 * The Kryo ids of the shadow package's messages ({@link ShadowRegistry} and the boards, 330-349). Append only:
 * the ids are the wire format.
 */
public final class ShadowKryo {
  private ShadowKryo() {}

  public static void register(Kryo kryo) {
    kryo.register(ShadowRegistry.Install.class, 330);
    kryo.register(ShadowRegistry.Remove.class, 331);
    kryo.register(ShadowRegistry.Promote.class, 332);
    kryo.register(ShadowRegistry.GetReport.class, 333);
    kryo.register(ShadowRegistry.Observe.class, 334);
    kryo.register(ShadowRegistry.Hello.class, 335);
    kryo.register(ShadowRegistry.Installed.class, 336);
    kryo.register(ShadowRegistry.Report.class, 337);
    kryo.register(ShadowRegistry.ShadowsPublished.class, 338);
    kryo.register(ShadowTally.Score.class, 339);
  }
}
