//! SVG, drawn with `resvg`. Nothing outside the file is ever read or fetched: external images
//! resolve to nothing and there is no resources folder; only images embedded as data URLs are
//! drawn. System fonts are loaded once, for the text in logos.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use resvg::{tiny_skia, usvg};

use super::encode::fitted;
use super::{Pixels, ThumbError};

/// SVG documents larger than this are not parsed (a logo is kilobytes).
const MAX_SVG_BYTES: u64 = 16 * 1024 * 1024;

/// Families tried, in order, for text whose font the system lacks (and for the generic families,
/// which fontdb maps to Windows fonts by default).
const FALLBACK_FAMILIES: [&str; 6] = [
    "DejaVu Sans",
    "Noto Sans",
    "Liberation Sans",
    "Nimbus Sans",
    "Arial",
    "Helvetica",
];

/// The system's fonts, loaded once, and the family used when a document's is missing.
fn fonts() -> (Arc<usvg::fontdb::Database>, String) {
    static FONTS: OnceLock<(Arc<usvg::fontdb::Database>, String)> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut fonts = usvg::fontdb::Database::new();
            fonts.load_system_fonts();
            let fallback = FALLBACK_FAMILIES
                .into_iter()
                .find(|family| {
                    fonts
                        .faces()
                        .any(|face| face.families.iter().any(|(name, _)| name == family))
                })
                .unwrap_or("sans-serif")
                .to_owned();
            fonts.set_sans_serif_family(&fallback);
            fonts.set_serif_family(&fallback);
            (Arc::new(fonts), fallback)
        })
        .clone()
}

pub(super) fn svg(path: &Path, side: u32) -> Result<Pixels, ThumbError> {
    let failed = |detail: String| ThumbError::Decode {
        path: path.to_owned(),
        format: "svg",
        detail,
    };
    let read = |cause| ThumbError::Read {
        path: path.to_owned(),
        cause,
    };
    let size = std::fs::metadata(path).map_err(read)?.len();
    if size > MAX_SVG_BYTES {
        return Err(failed(format!(
            "the document is {size} bytes; at most {MAX_SVG_BYTES} are drawn"
        )));
    }
    let text = std::fs::read(path).map_err(read)?;
    let (fontdb, font_family) = fonts();
    let options = usvg::Options {
        resources_dir: None,
        fontdb,
        font_family,
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: usvg::ImageHrefResolver::default_data_resolver(),
            // A path or URL in an <image> is never followed.
            resolve_string: Box::new(|_, _| None),
        },
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_data(&text, &options).map_err(|e| failed(e.to_string()))?;
    let natural = tree.size();
    let (width, height) = fitted(
        natural.width().ceil().max(1.0) as u32,
        natural.height().ceil().max(1.0) as u32,
        side,
    );
    // Small icons are drawn at the thumbnail's size rather than left tiny.
    let scale = (f64::from(side) / f64::from(width.max(height))).max(1.0);
    let (width, height) = (
        (f64::from(width) * scale).round() as u32,
        (f64::from(height) * scale).round() as u32,
    );
    let mut pixmap = tiny_skia::Pixmap::new(width.max(1), height.max(1))
        .ok_or_else(|| failed(format!("cannot draw at {width}×{height}")))?;
    let transform = tiny_skia::Transform::from_scale(
        width as f32 / natural.width(),
        height as f32 / natural.height(),
    );
    resvg::render(&tree, transform, &mut pixmap.as_mut());
    // tiny-skia keeps premultiplied alpha; encoders want it straight.
    let data: Vec<u8> = pixmap
        .pixels()
        .iter()
        .flat_map(|p| {
            let c = p.demultiply();
            [c.red(), c.green(), c.blue(), c.alpha()]
        })
        .collect();
    Ok(Pixels {
        width: pixmap.width(),
        height: pixmap.height(),
        alpha: true,
        data,
    })
}
