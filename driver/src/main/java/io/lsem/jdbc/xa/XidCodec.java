package io.lsem.jdbc.xa;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import javax.transaction.xa.Xid;

/**
 * How an XA branch id is written as a PostgreSQL prepared-transaction identifier:
 * {@code lsem_<formatId>_<gtrid>_<bqual>}, the two ids in unpadded base64 (no {@code _} in it; at most 195
 * characters, below PostgreSQL's 200). The prefix tells LSEM's branches from everyone else's in
 * {@code pg_prepared_xacts}, so that recovery returns only its own.
 */
final class XidCodec {
  static final String PREFIX = "lsem_";
  private static final Base64.Encoder ENCODER = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getDecoder();

  private XidCodec() {}

  /** The prepared-transaction identifier of {@code xid}. */
  static String gid(Xid xid) {
    return PREFIX + xid.getFormatId() + "_" + ENCODER.encodeToString(xid.getGlobalTransactionId()) + "_"
        + ENCODER.encodeToString(xid.getBranchQualifier());
  }

  /** The global part of {@code xid} (format and global transaction id): the same for all its branches. */
  static String global(Xid xid) {
    return xid.getFormatId() + "_" + ENCODER.encodeToString(xid.getGlobalTransactionId());
  }

  /** The branch whose identifier is {@code gid}, or {@code null} when it is not one of LSEM's. */
  static Xid parse(String gid) {
    if (gid == null || !gid.startsWith(PREFIX)) {
      return null;
    }
    String[] parts = gid.substring(PREFIX.length()).split("_", -1);
    if (parts.length != 3) {
      return null;
    }
    try {
      return new BranchId(Integer.parseInt(parts[0]), DECODER.decode(parts[1]), DECODER.decode(parts[2]));
    } catch (IllegalArgumentException malformed) {
      return null; // looks like ours but is not: not LSEM's to recover
    }
  }

  /** A readable form of {@code xid} for messages (the ids are opaque bytes; shown as text when printable). */
  static String describe(Xid xid) {
    return "xid(format " + xid.getFormatId() + ", gtrid " + printable(xid.getGlobalTransactionId()) + ", bqual "
        + printable(xid.getBranchQualifier()) + ")";
  }

  private static String printable(byte[] id) {
    String text = new String(id, StandardCharsets.ISO_8859_1);
    return text.chars().allMatch(c -> c >= 0x20 && c < 0x7f) ? "'" + text + "'" : ENCODER.encodeToString(id);
  }

  /** Whether {@code a} and {@code b} name the same branch. */
  static boolean same(Xid a, Xid b) {
    return a != null && b != null && a.getFormatId() == b.getFormatId()
        && Arrays.equals(a.getGlobalTransactionId(), b.getGlobalTransactionId())
        && Arrays.equals(a.getBranchQualifier(), b.getBranchQualifier());
  }

  /** A branch read back from {@code pg_prepared_xacts}. */
  private record BranchId(int formatId, byte[] gtrid, byte[] bqual) implements Xid {
    @Override
    public int getFormatId() {
      return formatId;
    }

    @Override
    public byte[] getGlobalTransactionId() {
      return gtrid.clone();
    }

    @Override
    public byte[] getBranchQualifier() {
      return bqual.clone();
    }
  }
}
