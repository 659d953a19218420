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

mod entropy;

use entropy::{Bits, Huffman};

/// Pictures larger than this are left to the full decoder's own limits (the thumbnailer refuses
/// them before decoding anyway); it bounds what the planes allocate.
const MAX_PIXELS: usize = 1 << 28;

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
    let mut bits = Bits::new(scan);
    for mcu in 0..mcus_x * mcus_y {
        if bits.ran_out() {
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
                        let rs = bits.skip_coefficient(ac)?;
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
mod tests;
