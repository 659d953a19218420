//! Every input through the Gif parser, whatever its magic numbers say.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trove_core::probe::{probe_bytes_as, Format};

fuzz_target!(|data: &[u8]| {
    let info = probe_bytes_as(Format::Gif, data);
    assert_eq!(info.size, data.len() as u64);
});
