//! Every input through the thumbnailer's own DC-only JPEG decoder: no panic, no hang, and a
//! picture it returns has exactly width × height RGB pixels.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trove_core::thumbs::jpeg_eighth_scale;

fuzz_target!(|data: &[u8]| {
    if let Some((width, height, length)) = jpeg_eighth_scale(data) {
        assert_eq!(length, width as usize * height as usize * 3);
    }
});
