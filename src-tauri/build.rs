fn main() {
    // The configuration lives at the top of the repository, beside ui/ and icons/.
    tauri_build::try_build(tauri_build::Attributes::new().config_path("../tauri.conf.json"))
        .unwrap_or_else(|error| panic!("tauri build script failed: {error:#}"));
}
