//! The rule table of each of the five APIs in `shared/seeds`, with where each figure comes from.
//! Where a document gives no limit, none is enforced: Trove refuses only what it knows the remote
//! refuses, and says so in the table's comment.

use super::{KindRules, Rules};
use crate::model::AssetKind::{Audio, Image, Video};
use crate::probe::Format::{self, *};

const MIB: u64 = 1024 * 1024;
/// TwelveLabs writes limits in decimal megabytes; the smaller reading is the safe one.
const MB: u64 = 1_000_000;

/// Width × height beyond which Trove's own server refuses an image: Pillow's decompression-bomb
/// threshold, far above any camera (a 20000×20000 PNG of 48 kB would need 1.6 GB to decode).
const MAX_DECODED_PIXELS: u64 = 178_956_970;

/// Seed 000's "Asset Types" and "File Size Limits" tables.
const SEED_IMAGES: KindRules = KindRules::formats(Image, &[Jpeg, Png, Svg, Webp], 10 * MIB);
const SEED_VIDEOS: KindRules = KindRules::formats(Video, &[Mp4, Webm, Mov], 200 * MIB);
const SEED_AUDIO: KindRules = KindRules::formats(Audio, &[Mp3, Wav, Aac], 50 * MIB);

/// Seed 000 as the Local library and its asset server take it: the seed's tables, and no image
/// too large to decode.
pub static LOCAL: Rules = Rules {
    service: "the Local library",
    no_uploads: None,
    kinds: &[
        KindRules {
            max_pixels: Some(MAX_DECODED_PIXELS),
            ..SEED_IMAGES
        },
        SEED_VIDEOS,
        SEED_AUDIO,
    ],
};

/// Seed 000 as its hosted service (cdn.sixtyseconds.video) states it.
static SIXTY_SECONDS: Rules = Rules {
    service: "sixtyseconds",
    no_uploads: None,
    kinds: &[SEED_IMAGES, SEED_VIDEOS, SEED_AUDIO],
};

/// Seed 001 (sync.so): the formats of its "Media Formats Support" page (AVI, OGG, WMA and ALAC
/// are accepted there but not recognised by the probe, so never offered); videos above 4K
/// (4096×2160) are rejected. Image formats are not listed: the common web ones are assumed. The
/// asset upload documents no size limit.
static SYNC_SO: Rules = Rules {
    service: "sync.so",
    no_uploads: None,
    kinds: &[
        unbounded(Image, &[Jpeg, Png, Webp]),
        KindRules {
            max_sides: Some((4096, 2160)),
            ..unbounded(Video, &[Mp4, Mov, Webm])
        },
        unbounded(Audio, &[Wav, Mp3, Flac, M4a, Aac]),
    ],
};

/// Seed 002 (Video Jungle): its documents give neither formats nor limits for uploaded assets;
/// every format the probe recognises as a whole, playable file is offered.
static VIDEO_JUNGLE: Rules = Rules {
    service: "Video Jungle",
    no_uploads: None,
    kinds: &[
        unbounded(Image, &[Jpeg, Png, Gif, Webp, Svg]),
        unbounded(Video, &[Mp4, Mov, Webm, Mkv]),
        unbounded(Audio, &[Mp3, Wav, Aac, M4a, Flac]),
    ],
};

/// Seed 003 (the /api/v1 digital-asset platform): assets are created from JSON; its file upload
/// endpoint is documented as "coming soon".
static ASSETS_V1: Rules = Rules {
    service: "the /api/v1 asset platform",
    no_uploads: Some(
        "its API creates assets from JSON only (file upload is documented as coming soon)",
    ),
    kinds: &[],
};

/// Seed 004 (TwelveLabs), with its fuller reference: local video and audio files up to 200 MB,
/// images up to 5 MB; videos at least 360×360 and at most 3840×2160, 4 s to 2 h (the Marengo
/// video requirements); images JPEG or PNG, at least 128×128 (the Marengo image requirements).
/// Audio durations have error codes but no published figures, so none are enforced.
static TWELVE_LABS: Rules = Rules {
    service: "TwelveLabs",
    no_uploads: None,
    kinds: &[
        KindRules {
            min_sides: Some((128, 128)),
            ..KindRules::formats(Image, &[Jpeg, Png], 5 * MB)
        },
        KindRules {
            min_sides: Some((360, 360)),
            max_sides: Some((3840, 2160)),
            min_duration_s: Some(4.0),
            max_duration_s: Some(7200.0),
            ..KindRules::formats(Video, &[Mp4, Mov, Webm, Mkv], 200 * MB)
        },
        KindRules::formats(Audio, &[Mp3, Wav, Aac, M4a, Flac], 200 * MB),
    ],
};

const fn unbounded(kind: crate::model::AssetKind, formats: &'static [Format]) -> KindRules {
    KindRules {
        max_bytes: None,
        ..KindRules::formats(kind, formats, 0)
    }
}

/// Provider keys `--provider` and accounts use, with their tables.
static TABLES: [(&str, &Rules); 6] = [
    ("local", &LOCAL),
    ("sixtyseconds", &SIXTY_SECONDS),
    ("syncso", &SYNC_SO),
    ("videojungle", &VIDEO_JUNGLE),
    ("assets-v1", &ASSETS_V1),
    ("twelvelabs", &TWELVE_LABS),
];

/// Every provider key that has a table, in the order of the seeds.
pub fn provider_keys() -> impl Iterator<Item = &'static str> {
    TABLES.iter().map(|(key, _)| *key)
}

/// The rule table of the provider with this key.
pub fn for_provider(key: &str) -> Option<&'static Rules> {
    TABLES
        .iter()
        .find(|(name, _)| *name == key)
        .map(|(_, rules)| *rules)
}
