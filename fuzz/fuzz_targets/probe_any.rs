//! Every input sniffed, probed and checked against every provider's rules: no panic, no hang,
//! and the displayed size is the stored size turned.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use trove_core::probe::probe_bytes;
use trove_core::rules::{check, for_provider, provider_keys};

fuzz_target!(|data: &[u8]| {
    let info = probe_bytes(data);
    let turned = info.rotation == 90 || info.rotation == 270;
    let expected = if turned {
        (info.stored_height, info.stored_width)
    } else {
        (info.stored_width, info.stored_height)
    };
    assert_eq!((info.width, info.height), expected);
    let probed = Ok(info);
    for key in provider_keys() {
        if let Some(rules) = for_provider(key) {
            let _ = check(Path::new("fuzzed.bin"), &probed, rules);
        }
    }
});
