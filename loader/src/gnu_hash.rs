//! DT_GNU_HASH as both loaders search it: the bloom filter, the bucket and the chain of hash
//! values (glibc elf/dl-lookup.c: do_lookup_x; musl ldso/dynlink.c: gnu_lookup_filtered,
//! gnu_lookup). Both prefer it to DT_HASH, so a definition the table does not reach is not
//! found, whatever `.dynsym` holds.

/// The GNU hash of a symbol name (the "djb2" hash: h = h * 33 + c, from 5381).
pub fn gnu_hash(name: &[u8]) -> u32 {
    // Four bytes at a time: h·33⁴ + c0·33³ + c1·33² + c2·33 + c3 is the same sum modulo 2³²,
    // without each byte waiting for the previous multiply.
    const P2: u32 = 33 * 33;
    const P3: u32 = P2 * 33;
    const P4: u32 = P3 * 33;
    let mut chunks = name.chunks_exact(4);
    let mut h = 5381u32;
    for c in chunks.by_ref() {
        let [a, b, c, d] = [c[0], c[1], c[2], c[3]].map(u32::from);
        h = h
            .wrapping_mul(P4)
            .wrapping_add(a.wrapping_mul(P3))
            .wrapping_add(b.wrapping_mul(P2))
            .wrapping_add(c.wrapping_mul(33))
            .wrapping_add(d);
    }
    chunks
        .remainder()
        .iter()
        .fold(h, |h, &c| h.wrapping_mul(33).wrapping_add(u32::from(c)))
}

/// A DT_GNU_HASH table, copied out of the file and checked: every bucket starts a chain
/// inside the symbol table that ends (low bit set) before the table does, and no chain is
/// longer than [`MAX_CHAIN`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GnuHash {
    /// Bloom filter words, widened to 64 bits (ELFCLASS32 words are 32 bits).
    bloom: Box<[u64]>,
    /// Bits in a bloom word: the object's class, 32 or 64 (`__ELF_NATIVE_CLASS`), as the
    /// shift that divides by it (lookup divides by it twice per object searched).
    word_shift: u32,
    /// The second bloom bit's shift.
    shift: u32,
    /// Index of the first hashed symbol.
    symoffset: u32,
    buckets: Box<[u32]>,
    /// Hash values (low bit: last of its chain) of symbols `symoffset..`.
    chains: Box<[u32]>,
}

/// The longest chain a usable table may have. Linkers size the bucket array for chains of a
/// few entries; one that puts thousands of symbols on one chain would make every lookup walk
/// them, so such a table is searched through a name index instead.
pub const MAX_CHAIN: usize = 1024;

/// Why a DT_GNU_HASH table is not used for lookup.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GnuHashError {
    #[error("no buckets")]
    NoBuckets,
    #[error("no bloom filter words")]
    NoBloom,
    #[error("its first hashed symbol {symoffset} is past the {symbols} symbols")]
    SymoffsetPastSymbols { symoffset: u32, symbols: usize },
    #[error("bucket {bucket} starts at symbol {start}, outside the hashed symbols")]
    BucketOutside { bucket: usize, start: u32 },
    #[error("the chain at symbol {start} does not end within the symbol table")]
    UnendedChain { start: u32 },
    #[error("a chain holds more than {MAX_CHAIN} symbols")]
    ChainTooLong,
    #[error("a bloom word of {0} bits (32 or 64 expected)")]
    WordSize(u32),
    #[error("{0} buckets, more than a 32-bit count")]
    TooManyBuckets(usize),
}

impl GnuHash {
    /// Check a table read from a file. `chains` holds the hash value of every symbol from
    /// `symoffset` to the end of the symbol table (`symbols` entries).
    pub fn new(
        bloom: Box<[u64]>,
        word_bits: u32,
        shift: u32,
        symoffset: u32,
        buckets: Box<[u32]>,
        chains: Box<[u32]>,
        symbols: usize,
    ) -> Result<GnuHash, GnuHashError> {
        if buckets.is_empty() {
            return Err(GnuHashError::NoBuckets);
        }
        if u32::try_from(buckets.len()).is_err() {
            return Err(GnuHashError::TooManyBuckets(buckets.len()));
        }
        if !matches!(word_bits, 32 | 64) {
            return Err(GnuHashError::WordSize(word_bits));
        }
        if bloom.is_empty() {
            return Err(GnuHashError::NoBloom);
        }
        if symoffset as usize > symbols {
            return Err(GnuHashError::SymoffsetPastSymbols { symoffset, symbols });
        }
        for (bucket, &start) in buckets.iter().enumerate() {
            if start == 0 {
                continue;
            }
            let Some(first) = start
                .checked_sub(symoffset)
                .map(|f| f as usize)
                .filter(|&f| f < chains.len())
            else {
                return Err(GnuHashError::BucketOutside { bucket, start });
            };
            let Some(len) = chains[first..].iter().position(|&h| h & 1 != 0) else {
                return Err(GnuHashError::UnendedChain { start });
            };
            if len >= MAX_CHAIN {
                return Err(GnuHashError::ChainTooLong);
            }
        }
        Ok(GnuHash {
            bloom,
            word_shift: word_bits.trailing_zeros(),
            shift,
            symoffset,
            buckets,
            chains,
        })
    }

    /// The chain a lookup of a name with GNU hash `hash` walks: the index of its first
    /// symbol and the hash values from there on, the chain ending at the first with its low
    /// bit set (empty when the bloom filter or the bucket rules the name out).
    pub fn chain(&self, hash: u32) -> (u32, &[u32]) {
        // `/ bits` and `% bits` of both loaders, for the power of two `bits` is.
        let mask = (1u32 << self.word_shift) - 1;
        // Both loaders mask the word index with nwords - 1 (a power of two in every real
        // table; any other count still stays inside the filter).
        let word = self.bloom[(hash >> self.word_shift) as usize & (self.bloom.len() - 1)];
        let bit1 = hash & mask;
        let bit2 = hash.wrapping_shr(self.shift) & mask;
        if (word >> bit1) & (word >> bit2) & 1 == 0 {
            return (0, &[]);
        }
        // `new` checked the bucket count fits in 32 bits: a 32-bit division.
        let start = self.buckets[(hash % self.buckets.len() as u32) as usize];
        if start == 0 {
            return (0, &[]);
        }
        // `new` checked that the chain starts inside `chains` and ends there.
        let chain = self
            .chains
            .get((start - self.symoffset) as usize..)
            .unwrap_or_default();
        (start, chain)
    }

    /// The symbols on the chain of `hash` whose hash value matches it (the low bit aside):
    /// the candidates the loaders then compare by name, in chain order.
    pub fn matching(&self, hash: u32) -> impl Iterator<Item = u32> + '_ {
        let (start, chain) = self.chain(hash);
        let len = chain
            .iter()
            .position(|&h| h & 1 != 0)
            .map_or(0, |last| last + 1);
        chain[..len]
            .iter()
            .enumerate()
            .filter(move |&(_, &h)| (h ^ hash) >> 1 == 0)
            .map(move |(i, _)| start + i as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table as binutils lays it out for `names` (symbols 1.., symoffset 1), and the names
    /// in symbol-table order (sorted by bucket).
    fn table<'n>(names: &[&'n str], nbuckets: u32) -> (GnuHash, Vec<&'n str>) {
        let hashes: Vec<u32> = names.iter().map(|n| gnu_hash(n.as_bytes())).collect();
        // Symbols sorted by bucket, as the linker orders .dynsym.
        let mut order: Vec<usize> = (0..names.len()).collect();
        order.sort_by_key(|&i| hashes[i] % nbuckets);
        let mut buckets = vec![0u32; nbuckets as usize];
        let mut chains = vec![0u32; names.len()];
        let mut bloom = 0u64;
        for (pos, &i) in order.iter().enumerate() {
            let h = hashes[i];
            let b = (h % nbuckets) as usize;
            if buckets[b] == 0 {
                buckets[b] = pos as u32 + 1;
            }
            let last = order
                .get(pos + 1)
                .is_none_or(|&n| hashes[n] % nbuckets != b as u32);
            chains[pos] = (h & !1) | u32::from(last);
            bloom |= 1 << (h % 64) | 1 << ((h >> 6) % 64);
        }
        let table = GnuHash::new(
            Box::new([bloom]),
            64,
            6,
            1,
            buckets.into(),
            chains.into(),
            names.len() + 1,
        )
        .unwrap();
        (table, order.iter().map(|&i| names[i]).collect())
    }

    #[test]
    fn gnu_hash_matches_known_values() {
        // h = h * 33 + c from 5381, worked out independently.
        assert_eq!(gnu_hash(b""), 0x0000_1505);
        assert_eq!(gnu_hash(b"printf"), 0x156b_2bb8);
        assert_eq!(gnu_hash(b"exit"), 0x7c96_7e3f);
        assert_eq!(gnu_hash(b"syscall"), 0xbac2_12a0);
        // Every length against the byte-at-a-time definition.
        let name: Vec<u8> = (0..40u8)
            .map(|i| i.wrapping_mul(97).wrapping_add(13))
            .collect();
        for len in 0..name.len() {
            let plain = name[..len].iter().fold(5381u32, |h, &c| {
                h.wrapping_mul(33).wrapping_add(u32::from(c))
            });
            assert_eq!(gnu_hash(&name[..len]), plain, "length {len}");
        }
    }

    #[test]
    fn finds_each_hashed_symbol_and_rejects_others_by_bloom_or_chain() {
        let names = ["malloc", "free", "printf", "exit", "a", "b", "c"];
        let (t, dynsym) = table(&names, 3);
        for name in names {
            let found: Vec<&str> = t
                .matching(gnu_hash(name.as_bytes()))
                .map(|i| dynsym[i as usize - 1])
                .collect();
            assert_eq!(found, [name]);
        }
        assert_eq!(t.matching(gnu_hash(b"not_there")).count(), 0);
    }

    #[test]
    fn broken_tables_are_refused() {
        let new = |buckets: Vec<u32>, chains: Vec<u32>| {
            GnuHash::new(Box::new([!0]), 64, 6, 1, buckets.into(), chains.into(), 3)
        };
        assert_eq!(new(vec![], vec![1, 1]), Err(GnuHashError::NoBuckets));
        assert_eq!(
            new(vec![5], vec![1, 1]),
            Err(GnuHashError::BucketOutside {
                bucket: 0,
                start: 5
            })
        );
        assert_eq!(
            new(vec![1], vec![0, 0]),
            Err(GnuHashError::UnendedChain { start: 1 })
        );
        let long = vec![0u32; MAX_CHAIN + 1];
        assert_eq!(
            GnuHash::new(
                Box::new([!0]),
                64,
                6,
                1,
                vec![1].into(),
                long.into(),
                MAX_CHAIN + 2
            ),
            Err(GnuHashError::UnendedChain { start: 1 })
        );
        let mut long = vec![0u32; MAX_CHAIN + 1];
        long[MAX_CHAIN] = 1;
        assert_eq!(
            GnuHash::new(
                Box::new([!0]),
                64,
                6,
                1,
                vec![1].into(),
                long.into(),
                MAX_CHAIN + 2
            ),
            Err(GnuHashError::ChainTooLong)
        );
    }
}
