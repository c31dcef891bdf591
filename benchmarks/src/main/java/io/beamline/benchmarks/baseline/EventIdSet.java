package io.beamline.benchmarks.baseline;

/**
 * The (tenant, event_id) pairs seen so far, as 64-bit hashes in open-addressing tables of
 * primitive longs: about 8-16 bytes per event instead of a String set's ~100. Striped by hash so
 * that worker threads rarely contend. Two different ids share a hash with probability ~n²/2⁶⁵
 * (4M events: 4·10⁻⁷), which would count one event as a duplicate.
 */
final class EventIdSet {
  private static final int STRIPES = 16;
  private final Stripe[] stripes = new Stripe[STRIPES];

  EventIdSet() {
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new Stripe();
    }
  }

  /** Adds the pair; true when it was not there yet (the first copy of the event). */
  boolean add(String tenant, String eventId) {
    return addHash(hash(tenant, eventId));
  }

  boolean addHash(long h) {
    // Never 0: 0 marks an empty slot.
    long key = h == 0 ? 1 : h;
    Stripe s = stripes[(int) (key >>> 60)];
    synchronized (s) {
      return s.add(key);
    }
  }

  long size() {
    long n = 0;
    for (Stripe s : stripes) {
      synchronized (s) {
        n += s.size;
      }
    }
    return n;
  }

  /** A 64-bit hash of tenant, a separator and event id (the key Beamline deduplicates on). */
  static long hash(String tenant, String eventId) {
    long h = 0x9E3779B97F4A7C15L;
    h = mixIn(h, tenant);
    h = (h ^ 0xFFFF) * 0xBF58476D1CE4E5B9L;
    h = mixIn(h, eventId);
    return fmix(h ^ ((long) tenant.length() << 32 | eventId.length()));
  }

  private static long mixIn(long h, String s) {
    int n = s.length();
    int i = 0;
    for (; i + 3 < n; i += 4) {
      long block = s.charAt(i) | (long) s.charAt(i + 1) << 16 | (long) s.charAt(i + 2) << 32
          | (long) s.charAt(i + 3) << 48;
      h = Long.rotateLeft(h ^ fmix(block), 27) * 0x94D049BB133111EBL + 0x52DCE729;
    }
    for (; i < n; i++) {
      h = Long.rotateLeft(h ^ s.charAt(i), 31) * 0x9E3779B97F4A7C15L;
    }
    return h;
  }

  private static long fmix(long k) {
    k ^= k >>> 33;
    k *= 0xFF51AFD7ED558CCDL;
    k ^= k >>> 33;
    k *= 0xC4CEB9FE1A85EC53L;
    k ^= k >>> 33;
    return k;
  }

  private static final class Stripe {
    long[] slots = new long[1 << 10];
    int size;

    boolean add(long key) {
      if (size * 10L >= slots.length * 6L) {
        grow();
      }
      if (!insert(slots, key)) {
        return false;
      }
      size++;
      return true;
    }

    private static boolean insert(long[] table, long key) {
      int mask = table.length - 1;
      // The low bits index; the high bits chose the stripe.
      int i = (int) (key ^ (key >>> 32)) & mask;
      while (true) {
        long at = table[i];
        if (at == 0) {
          table[i] = key;
          return true;
        }
        if (at == key) {
          return false;
        }
        i = (i + 1) & mask;
      }
    }

    private void grow() {
      long[] bigger = new long[slots.length * 2];
      for (long k : slots) {
        if (k != 0) {
          insert(bigger, k);
        }
      }
      slots = bigger;
    }
  }
}
