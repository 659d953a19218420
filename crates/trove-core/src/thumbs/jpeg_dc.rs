//! A baseline JPEG decoded to 1/8 scale from its DC coefficients alone: each 8×8 block's average
//! is one pixel, which is exactly what a decoder scaling by 1/8 computes, and every AC
//! coefficient is only skipped, never stored or transformed. This is the thumbnailer's fast path
//! for camera photos (`jpeg-decoder` spends most of its time keeping coefficients a 1/8 picture
//! never uses). Progressive, arithmetic-coded, 12-bit and CMYK files return `None` and go to
//! `jpeg-decoder`. Every read is bounds-checked: bad bytes give `None`, never a panic.

/// A decoded 1/8-scale picture: RGB, `width`×`height`.
pub(super) struct DcImage {
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<u8>,
}

#[derive(Clone)]
struct Huffman {
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

const FAST_BITS: u32 = 12;
/// Pictures larger than this are left to the full decoder's own limits (the thumbnailer refuses
/// them before decoding anyway); it bounds what the planes allocate.
const MAX_PIXELS: usize = 1 << 28;
/// Zero bytes past the end of the data tolerated (the reader looks up to 8 bytes ahead).
const MAX_PADDING: u32 = 64;
const FAST_SIZE: usize = 1 << FAST_BITS;

impl Huffman {
    fn new(counts: &[u8; 16], values: &[u8]) -> Option<Huffman> {
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
struct Bits<'a> {
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

    fn decode(&mut self, table: &Huffman) -> Option<u8> {
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
    fn signed(&mut self, n: u32) -> i32 {
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

    /// Skips to the byte after a restart marker (the encoder pads to a byte before it).
    fn restart(&mut self) -> bool {
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

#[derive(Clone, Copy)]
struct Component {
    id: u8,
    h: usize,
    v: usize,
    quant_dc: i32,
    dc_table: usize,
    ac_table: usize,
}

fn be16(data: &[u8], at: usize) -> Option<usize> {
    Some(usize::from(u16::from_be_bytes([
        *data.get(at)?,
        *data.get(at + 1)?,
    ])))
}

/// Decodes `data` (a whole JPEG file) to 1/8 scale, or `None` when it is not a baseline
/// Huffman JPEG with 1 or 3 components this decoder takes.
pub(super) fn decode(data: &[u8]) -> Option<DcImage> {
    let mut quant = [[0i32; 64]; 4];
    let mut dc_tables: [Option<Huffman>; 4] = Default::default();
    let mut ac_tables: [Option<Huffman>; 4] = Default::default();
    let mut components: Vec<Component> = Vec::new();
    let (mut width, mut height, mut restart_interval) = (0usize, 0usize, 0usize);
    let mut at = 2;
    if data.get(..2)? != [0xFF, 0xD8] {
        return None;
    }
    loop {
        if *data.get(at)? != 0xFF {
            return None;
        }
        let marker = *data.get(at + 1)?;
        if marker == 0xFF {
            at += 1;
            continue;
        }
        let length = be16(data, at + 2)?;
        let segment = data.get(at + 4..at + 2 + length)?;
        match marker {
            0xC0 | 0xC1 => {
                if *segment.first()? != 8 {
                    return None;
                }
                height = be16(segment, 1)?;
                width = be16(segment, 3)?;
                let count = usize::from(*segment.get(5)?);
                for i in 0..count {
                    let entry = segment.get(6 + i * 3..9 + i * 3)?;
                    let q = usize::from(entry[2] & 3);
                    components.push(Component {
                        id: entry[0],
                        h: usize::from(entry[1] >> 4).max(1),
                        v: usize::from(entry[1] & 15).max(1),
                        quant_dc: q as i32, // replaced by the table's DC value at the scan
                        dc_table: 0,
                        ac_table: 0,
                    });
                }
            }
            0xC2..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => return None,
            0xC4 => {
                let mut rest = segment;
                while !rest.is_empty() {
                    let class_id = rest[0];
                    let counts: [u8; 16] = rest.get(1..17)?.try_into().ok()?;
                    let total: usize = counts.iter().map(|c| usize::from(*c)).sum();
                    let values = rest.get(17..17 + total)?;
                    let table = Some(Huffman::new(&counts, values)?);
                    let slot = usize::from(class_id & 3);
                    if class_id >> 4 == 0 {
                        dc_tables[slot] = table;
                    } else {
                        ac_tables[slot] = table;
                    }
                    rest = rest.get(17 + total..)?;
                }
            }
            0xDB => {
                let mut rest = segment;
                while !rest.is_empty() {
                    let precision = rest[0] >> 4;
                    let slot = usize::from(rest[0] & 3);
                    let size = if precision == 0 { 64 } else { 128 };
                    let table = rest.get(1..1 + size)?;
                    for (i, value) in quant[slot].iter_mut().enumerate() {
                        *value = if precision == 0 {
                            i32::from(table[i])
                        } else {
                            be16(table, i * 2)? as i32
                        };
                    }
                    rest = rest.get(1 + size..)?;
                }
            }
            0xDD => restart_interval = be16(segment, 0)?,
            0xDA => {
                let count = usize::from(*segment.first()?);
                if count != components.len() || !(count == 1 || count == 3) {
                    return None; // non-interleaved scans need the slow path
                }
                for i in 0..count {
                    let entry = segment.get(1 + i * 2..3 + i * 2)?;
                    let component = components.iter_mut().find(|c| c.id == entry[0])?;
                    component.dc_table = usize::from(entry[1] >> 4 & 3);
                    component.ac_table = usize::from(entry[1] & 3);
                }
                for component in &mut components {
                    component.quant_dc = quant[component.quant_dc as usize][0];
                }
                let scan = data.get(at + 2 + length..)?;
                return scan_dc(
                    scan,
                    &components,
                    &dc_tables,
                    &ac_tables,
                    (width, height),
                    restart_interval,
                );
            }
            0xD9 => return None,
            _ => {}
        }
        at += 2 + length;
    }
}

fn scan_dc(
    scan: &[u8],
    components: &[Component],
    dc_tables: &[Option<Huffman>; 4],
    ac_tables: &[Option<Huffman>; 4],
    (width, height): (usize, usize),
    restart_interval: usize,
) -> Option<DcImage> {
    // A scan of one component is a block per MCU, whatever sampling its frame header declares.
    let single;
    let components = if let [only] = components {
        single = [Component {
            h: 1,
            v: 1,
            ..*only
        }];
        &single[..]
    } else {
        components
    };
    let h_max = components.iter().map(|c| c.h).max()?;
    let v_max = components.iter().map(|c| c.v).max()?;
    if width == 0 || height == 0 || h_max > 4 || v_max > 4 || width * height > MAX_PIXELS {
        return None;
    }
    let mcus_x = width.div_ceil(8 * h_max);
    let mcus_y = height.div_ceil(8 * v_max);
    let tables: Vec<(&Huffman, &Huffman)> = components
        .iter()
        .map(|c| {
            Some((
                dc_tables[c.dc_table].as_ref()?,
                ac_tables[c.ac_table].as_ref()?,
            ))
        })
        .collect::<Option<_>>()?;
    // One value per block of each component, on that component's own grid.
    let mut planes: Vec<Vec<i32>> = components
        .iter()
        .map(|c| vec![0; mcus_x * c.h * mcus_y * c.v])
        .collect();
    let mut predictions = vec![0i32; components.len()];
    let mut bits = Bits {
        data: scan,
        at: 0,
        buffer: 0,
        count: 0,
        marker: false,
        padding: 0,
    };
    for mcu in 0..mcus_x * mcus_y {
        if bits.padding > MAX_PADDING {
            return None; // the data ended before the picture did
        }
        if restart_interval > 0 && mcu > 0 && mcu % restart_interval == 0 {
            if !bits.restart() {
                return None;
            }
            predictions.iter_mut().for_each(|p| *p = 0);
        }
        let (mx, my) = (mcu % mcus_x, mcu / mcus_x);
        for (index, component) in components.iter().enumerate() {
            let (dc, ac) = tables[index];
            let stride = mcus_x * component.h;
            for by in 0..component.v {
                for bx in 0..component.h {
                    let size = u32::from(bits.decode(dc)?);
                    if size > 11 {
                        return None;
                    }
                    predictions[index] += bits.signed(size);
                    let mut k = 1;
                    while k < 64 {
                        // Most codes and their coefficient fit the lookup: one step skips both.
                        let (symbol, total) =
                            ac.skip[bits.peek(FAST_BITS) as usize & (FAST_SIZE - 1)];
                        let rs = if total > 0 {
                            bits.consume(u32::from(total));
                            symbol
                        } else {
                            let rs = bits.decode(ac)?;
                            // The coefficient itself is not needed: its bits are skipped.
                            let size = u32::from(rs & 15);
                            if bits.count < size {
                                bits.fill();
                            }
                            bits.consume(size);
                            rs
                        };
                        let (run, size) = (usize::from(rs >> 4), rs & 15);
                        if size == 0 {
                            if run != 15 {
                                break; // end of block
                            }
                            k += 16;
                            continue;
                        }
                        k += run + 1;
                    }
                    let x = mx * component.h + bx;
                    let y = my * component.v + by;
                    planes[index][y * stride + x] = predictions[index] * component.quant_dc;
                }
            }
        }
    }
    Some(to_rgb(
        components,
        &planes,
        (width, height),
        (mcus_x, h_max, v_max),
    ))
}

/// The DC planes (each value 8× the block's mean level, centred on 0) to RGB at 1/8 scale.
fn to_rgb(
    components: &[Component],
    planes: &[Vec<i32>],
    (width, height): (usize, usize),
    (mcus_x, h_max, v_max): (usize, usize, usize),
) -> DcImage {
    let (w, h) = (width.div_ceil(8), height.div_ceil(8));
    let mut rgb = vec![0u8; w * h * 3];
    let level = |index: usize, x: usize, y: usize| -> f32 {
        let c = &components[index];
        let (sx, sy) = (x * c.h / h_max, y * c.v / v_max);
        let stride = mcus_x * c.h;
        planes[index].get(sy * stride + sx).copied().unwrap_or(0) as f32 / 8.0 + 128.0
    };
    for y in 0..h {
        for x in 0..w {
            let at = (y * w + x) * 3;
            let luma = level(0, x, y);
            let (r, g, b) = if components.len() == 3 {
                let (cb, cr) = (level(1, x, y) - 128.0, level(2, x, y) - 128.0);
                (
                    luma + 1.402 * cr,
                    luma - 0.344_136 * cb - 0.714_136 * cr,
                    luma + 1.772 * cb,
                )
            } else {
                (luma, luma, luma)
            };
            rgb[at] = r.round().clamp(0.0, 255.0) as u8;
            rgb[at + 1] = g.round().clamp(0.0, 255.0) as u8;
            rgb[at + 2] = b.round().clamp(0.0, 255.0) as u8;
        }
    }
    DcImage {
        width: w as u32,
        height: h as u32,
        rgb,
    }
}

#[cfg(test)]
mod tests {
    use image::ImageEncoder;

    use super::*;

    /// A smooth colour gradient, JPEG-encoded (baseline, chroma subsampled).
    fn gradient_jpeg(width: u32, height: u32, grey: bool) -> Vec<u8> {
        let mut pixels = Vec::new();
        for y in 0..height {
            for x in 0..width {
                let (r, g, b) = ((x * 255 / width) as u8, (y * 255 / height) as u8, 128u8);
                if grey {
                    pixels.push(r / 2 + g / 2);
                } else {
                    pixels.extend([r, g, b]);
                }
            }
        }
        let mut bytes = Vec::new();
        let color = if grey {
            image::ExtendedColorType::L8
        } else {
            image::ExtendedColorType::Rgb8
        };
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 90)
            .write_image(&pixels, width, height, color)
            .unwrap();
        bytes
    }

    /// The reference: `jpeg-decoder` scaling by 1/8 as RGB.
    fn reference(bytes: &[u8], width: u32, height: u32) -> Vec<u8> {
        let mut decoder = jpeg_decoder::Decoder::new(bytes);
        decoder.read_info().unwrap();
        decoder
            .scale((width / 8) as u16, (height / 8) as u16)
            .unwrap();
        let data = decoder.decode().unwrap();
        match decoder.info().unwrap().pixel_format {
            jpeg_decoder::PixelFormat::L8 => data.iter().flat_map(|v| [*v, *v, *v]).collect(),
            _ => data,
        }
    }

    #[test]
    fn dc_pictures_match_a_decoder_scaling_by_an_eighth() {
        for (width, height, grey) in [(640, 480, false), (803, 601, false), (320, 200, true)] {
            let bytes = gradient_jpeg(width, height, grey);
            let ours = decode(&bytes).unwrap();
            assert_eq!(
                (ours.width, ours.height),
                (width.div_ceil(8), height.div_ceil(8))
            );
            let theirs = reference(&bytes, width, height);
            assert_eq!(ours.rgb.len(), theirs.len());
            let error = ours
                .rgb
                .iter()
                .zip(&theirs)
                .map(|(a, b)| (i32::from(*a) - i32::from(*b)).abs())
                .max()
                .unwrap();
            // Chroma is taken from the nearest block rather than interpolated: a few levels.
            assert!(error <= 12, "{width}×{height} grey={grey}: off by {error}");
        }
    }

    /// Found by the fuzzer: a frame header claiming 65292×65535 over a few hundred bytes of data
    /// made the decoder walk millions of empty blocks.
    #[test]
    fn a_huge_frame_over_little_data_stops_at_once() {
        let mut bytes = gradient_jpeg(64, 64, false);
        let sof = bytes.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        bytes[sof + 5..sof + 9].copy_from_slice(&[0x3F, 0xFF, 0x3F, 0xFF]); // 16383×16383
        let started = std::time::Instant::now();
        assert!(decode(&bytes).is_none());
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
    }

    #[test]
    fn anything_else_is_left_to_the_full_decoder() {
        assert!(decode(b"not a jpeg").is_none());
        let bytes = gradient_jpeg(64, 64, false);
        for cut in [3, 100, bytes.len() / 2] {
            // A cut file decodes to something or nothing, never a panic.
            let _ = decode(&bytes[..cut]);
        }
    }
}
