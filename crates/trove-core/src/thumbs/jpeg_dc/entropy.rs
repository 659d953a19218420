//! The entropy-coded data of a JPEG scan: Huffman tables whose one-step lookup decodes a code and
//! skips its coefficient together, and a bit reader that undoes byte stuffing and stops at markers
//! (taking eight bytes at a time where no 0xFF is among them).

/// Bits looked up at once.
const FAST_BITS: u32 = 12;
const FAST_SIZE: usize = 1 << FAST_BITS;
/// Zero bytes past the end of the data tolerated (the reader looks up to 8 bytes ahead).
const MAX_PADDING: u32 = 64;

#[derive(Clone)]
pub(super) struct Huffman {
    /// For the next `FAST_BITS` bits: (symbol, code length), length 0 when the code is longer.
    fast: Box<[(u8, u8); FAST_SIZE]>,
    /// For AC tables: (symbol, bits of code and coefficient together) when both fit in the
    /// next `FAST_BITS` bits, so a coefficient is skipped in one step; 0 bits otherwise.
    skip: Box<[(u8, u8); FAST_SIZE]>,
    /// Canonical decoding of longer codes: per length, the largest code and the value offset.
    max_code: [i32; 18],
    offset: [i32; 17],
    values: Vec<u8>,
}

impl Huffman {
    pub(super) fn new(counts: &[u8; 16], values: &[u8]) -> Option<Huffman> {
        let mut table = Huffman {
            fast: Box::new([(0, 0); FAST_SIZE]),
            skip: Box::new([(0, 0); FAST_SIZE]),
            max_code: [-1; 18],
            offset: [0; 17],
            values: values.to_vec(),
        };
        let (mut code, mut k) = (0i32, 0usize);
        for length in 1..=16usize {
            let count = usize::from(counts[length - 1]);
            table.offset[length] = k as i32 - code;
            for _ in 0..count {
                if length as u32 <= FAST_BITS {
                    let shift = FAST_BITS - length as u32;
                    let first = (code as usize) << shift;
                    for slot in table.fast.get_mut(first..first + (1 << shift))? {
                        *slot = (*values.get(k)?, length as u8);
                    }
                }
                code += 1;
                k += 1;
            }
            if count > 0 {
                table.max_code[length] = code - 1;
            }
            if code > (1 << length) {
                return None; // more codes than the length allows
            }
            code <<= 1;
        }
        table.max_code[17] = i32::MAX;
        for (slot, (symbol, length)) in table.fast.iter().enumerate() {
            let total = u32::from(*length) + u32::from(symbol & 15);
            if *length > 0 && total <= FAST_BITS {
                table.skip[slot] = (*symbol, total as u8);
            }
        }
        Some(table)
    }
}

/// Reads entropy-coded bits, undoing byte stuffing and stopping at markers.
pub(super) struct Bits<'a> {
    data: &'a [u8],
    at: usize,
    buffer: u64,
    count: u32,
    /// A marker was met: only zero bits follow until the caller handles it.
    marker: bool,
    /// Zero bytes fed after the data ran out: a file cut short would otherwise be decoded as
    /// millions of empty blocks.
    padding: u32,
}

impl<'a> Bits<'a> {
    pub(super) fn new(data: &'a [u8]) -> Bits<'a> {
        Bits {
            data,
            at: 0,
            buffer: 0,
            count: 0,
            marker: false,
            padding: 0,
        }
    }

    fn fill(&mut self) {
        // Fast path: the next eight bytes hold no 0xFF (no stuffing, no marker), so as many
        // whole bytes as fit are taken in one go.
        let room = ((64 - self.count) / 8) as usize;
        if !self.marker && room > 0 {
            if let Some(chunk) = self.data.get(self.at..self.at + 8) {
                let mut word = [0u8; 8];
                word.copy_from_slice(chunk);
                let word = u64::from_be_bytes(word);
                // A byte of `word` is 0xFF exactly when that byte of `!word` is zero.
                let inverted = !word;
                let has_ff = inverted.wrapping_sub(0x0101_0101_0101_0101)
                    & !inverted
                    & 0x8080_8080_8080_8080;
                if has_ff == 0 {
                    let take = room as u32 * 8;
                    self.buffer |= (word >> (64 - take)) << (64 - self.count - take);
                    self.count += take;
                    self.at += room;
                    return;
                }
            }
        }
        while self.count <= 56 {
            let byte = if self.marker {
                self.padding = self.padding.saturating_add(1);
                0
            } else {
                match self.data.get(self.at) {
                    Some(0xFF) => match self.data.get(self.at + 1) {
                        Some(0x00) => {
                            self.at += 2;
                            0xFF
                        }
                        _ => {
                            self.marker = true;
                            0
                        }
                    },
                    Some(byte) => {
                        self.at += 1;
                        *byte
                    }
                    None => {
                        self.marker = true;
                        0
                    }
                }
            };
            self.buffer |= u64::from(byte) << (56 - self.count);
            self.count += 8;
        }
    }

    fn peek(&mut self, n: u32) -> u32 {
        if self.count < n {
            self.fill();
        }
        (self.buffer >> (64 - n)) as u32
    }

    fn consume(&mut self, n: u32) {
        self.buffer <<= n;
        self.count = self.count.saturating_sub(n);
    }

    pub(super) fn decode(&mut self, table: &Huffman) -> Option<u8> {
        let (symbol, length) = table.fast[self.peek(FAST_BITS) as usize & (FAST_SIZE - 1)];
        if length > 0 {
            self.consume(u32::from(length));
            return Some(symbol);
        }
        let bits = self.peek(16) as i32;
        for length in (FAST_BITS as usize + 1)..=16 {
            let code = bits >> (16 - length);
            if code <= table.max_code[length] {
                self.consume(length as u32);
                return table
                    .values
                    .get((code + table.offset[length]) as usize)
                    .copied();
            }
        }
        None
    }

    /// `n` bits as a signed coefficient (JPEG's "extend").
    pub(super) fn signed(&mut self, n: u32) -> i32 {
        if n == 0 {
            return 0;
        }
        let value = self.peek(n) as i32;
        self.consume(n);
        if value < 1 << (n - 1) {
            value - (1 << n) + 1
        } else {
            value
        }
    }

    /// The next AC symbol (run and size), its coefficient's bits skipped, not read: most codes
    /// and their coefficient fit the lookup, and one step takes both.
    pub(super) fn skip_coefficient(&mut self, ac: &Huffman) -> Option<u8> {
        let (symbol, total) = ac.skip[self.peek(FAST_BITS) as usize & (FAST_SIZE - 1)];
        if total > 0 {
            self.consume(u32::from(total));
            return Some(symbol);
        }
        let rs = self.decode(ac)?;
        let size = u32::from(rs & 15);
        if self.count < size {
            self.fill();
        }
        self.consume(size);
        Some(rs)
    }

    /// Whether the data ended some way back (only padding has been read since).
    pub(super) fn ran_out(&self) -> bool {
        self.padding > MAX_PADDING
    }

    /// Skips to the byte after a restart marker (the encoder pads to a byte before it).
    pub(super) fn restart(&mut self) -> bool {
        self.buffer = 0;
        self.count = 0;
        self.marker = false;
        self.padding = 0;
        match (self.data.get(self.at), self.data.get(self.at + 1)) {
            (Some(0xFF), Some(0xD0..=0xD7)) => {
                self.at += 2;
                true
            }
            _ => false,
        }
    }
}
