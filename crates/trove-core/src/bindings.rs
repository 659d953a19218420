//! The TypeScript types of the UI are generated from the model. This test regenerates them and fails
//! when `ui/src/lib/bindings.ts` differs, so the IPC contract cannot drift; run it with
//! `TROVE_UPDATE_BINDINGS=1` to rewrite the file after changing a type.

use std::path::PathBuf;

use ts_rs::{Config, TS};

use crate::accounts::*;
use crate::bulk::*;
use crate::cache::WatchedFolder;
use crate::model::*;
use crate::rules::{Problem, ProblemCode};

fn generated() -> String {
    let cfg = Config::new();
    let declarations = [
        AssetKind::decl(&cfg),
        Asset::decl(&cfg),
        SortKey::decl(&cfg),
        AssetQuery::decl(&cfg),
        AssetPage::decl(&cfg),
        TagFacet::decl(&cfg),
        Connectivity::decl(&cfg),
        AccountStatus::decl(&cfg),
        LibraryStatus::decl(&cfg),
        TroveEvent::decl(&cfg),
        ProblemCode::decl(&cfg),
        Problem::decl(&cfg),
        UploadState::decl(&cfg),
        UploadItem::decl(&cfg),
        AssetDetails::decl(&cfg),
        AssetKey::decl(&cfg),
        Selection::decl(&cfg),
        AssetEdit::decl(&cfg),
        EditSummary::decl(&cfg),
        AssetInUse::decl(&cfg),
        UsageUnknown::decl(&cfg),
        DeleteCheck::decl(&cfg),
        DeleteOutcome::decl(&cfg),
        AccountForm::decl(&cfg),
        AccountSettings::decl(&cfg),
        ProviderChoice::decl(&cfg),
        ConnectionReport::decl(&cfg),
        UnsentWork::decl(&cfg),
        WatchedFolder::decl(&cfg),
    ];
    let mut text = String::from(
        "// Generated from the Rust model (crates/trove-core/src/model.rs) by ts-rs. Do not edit:\n\
         // change the Rust types and run `TROVE_UPDATE_BINDINGS=1 cargo test -p trove-core bindings`.\n",
    );
    for declaration in declarations {
        text.push_str("\nexport ");
        text.push_str(&declaration);
        text.push('\n');
    }
    text
}

#[test]
fn bindings_are_fresh() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/bindings.ts");
    let expected = generated();
    if std::env::var_os("TROVE_UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &expected).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == expected,
        "{} is stale: run `TROVE_UPDATE_BINDINGS=1 cargo test -p trove-core bindings`",
        path.display()
    );
}
