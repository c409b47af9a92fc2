package dev.switchyard.actors.tenant;

import com.esotericsoftware.kryo.Kryo;

/**
 * The Kryo ids of the tenant package's messages ({@link TenantLedger}, 350-369), registered here so its
 * package-private ones stay private. Append only: the ids are the wire format.
 */
public final class TenantKryo {
  private TenantKryo() {}

  public static void register(Kryo kryo) {
    kryo.register(TenantLedger.AdmitRequest.class, 350);
    kryo.register(TenantLedger.CountRequest.class, 351);
    kryo.register(TenantLedger.Reserve.class, 352);
    kryo.register(TenantLedger.Settle.class, 353);
    kryo.register(TenantLedger.GetUsage.class, 354);
    kryo.register(TenantLedger.Flush.class, 355);
    kryo.register(TenantLedger.ExpiryDue.class, 356);
    kryo.register(TenantLedger.Admitted.class, 357);
    kryo.register(TenantLedger.RequestRefused.class, 358);
    kryo.register(TenantLedger.Granted.class, 359);
    kryo.register(TenantLedger.ReserveRefused.class, 360);
    kryo.register(TenantLedger.Limit.class, 361);
    kryo.register(TenantLedger.Usage.class, 362);
    kryo.register(dev.switchyard.actors.fleet.TenantSpec.class, 363);
    kryo.register(TenantLedger.Stop.class, 364);
  }
}
