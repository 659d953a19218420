//! Accounts as the settings screen manages them, against a real `trove-server` and the session's
//! real OS keychain (`scripts/test.sh` runs the suites in a D-Bus session with GNOME Keyring):
//! the key goes to the keychain and nowhere in Trove's files; a connection is tested before
//! saving, with the server's own reason when it fails; bad forms change nothing; a removal that
//! would discard unsent edits must be forced, and then takes the key and the cached assets along.

use trove_core::accounts::{AccountError, AccountForm};
use trove_core::cache::{Credential, Edit};
use trove_core::keychain::{self, KeychainError};
use trove_core::library::Library;
use trove_core::model::AssetQuery;
use trove_core::push::Urgency;
use trove_tests::server::ServerProcess;

fn form(name: &str, base_url: &str, api_key: &str) -> AccountForm {
    AccountForm {
        name: name.to_owned(),
        provider: "local".to_owned(),
        base_url: base_url.to_owned(),
        api_key: api_key.to_owned(),
    }
}

fn cached(library: &Library, account_id: &str) -> u32 {
    library
        .query(&AssetQuery {
            account_id: Some(account_id.to_owned()),
            ..AssetQuery::default()
        })
        .unwrap()
        .total
}

#[tokio::test(flavor = "multi_thread")]
async fn an_account_is_tested_added_synced_changed_and_removed_with_its_key_in_the_keychain() {
    let storage = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&storage.path().join("server"));
    server.seed_tiles(4).await;
    let home = tempfile::tempdir().unwrap();
    let library = Library::open_quiet(home.path()).unwrap();
    library.local_account().unwrap();

    // Tested before saving: the right key reads the listing; a wrong one gets the server's 401.
    let good = form(
        "  Team library ",
        &format!("{}/", server.base_url),
        &server.api_key,
    );
    let report = library.test_connection(&good, None).await.unwrap();
    assert_eq!((report.total, report.first_page), (Some(4), 4));
    let wrong = form("Team library", &server.base_url, "not-the-key");
    let refused = library.test_connection(&wrong, None).await.unwrap_err();
    assert!(
        matches!(refused, AccountError::Connection(_)) && refused.to_string().contains("401"),
        "{refused}"
    );

    // Added: the name and address trimmed, the key in the keychain, and nowhere in the files.
    let team = library.create_account(&good).unwrap();
    assert_eq!(
        (team.name.as_str(), team.base_url.as_str()),
        ("Team library", server.base_url.as_str())
    );
    assert_eq!(team.key_source, "the OS keychain");
    assert_eq!(keychain::load(&team.id).unwrap(), server.api_key);
    let account = library.account(&team.id).unwrap();
    assert_eq!(account.credential, Credential::Keychain);
    library.sync(&account, Urgency::Now).await.unwrap();
    assert_eq!(cached(&library, &team.id), 4);
    assert_eq!(
        trove_tests::files_containing(home.path(), &server.api_key),
        Vec::<std::path::PathBuf>::new()
    );

    // The same name twice is refused and adds nothing.
    let again = library.create_account(&good).unwrap_err();
    assert!(
        matches!(again, AccountError::Duplicate(ref n) if n == "Team library"),
        "{again}"
    );
    assert_eq!(library.account_settings().unwrap().len(), 2);

    // A change to a name another account has is refused before anything changes, the key too.
    let taken = library
        .change_account(
            &team.id,
            &form("Local library", &server.base_url, "new-key"),
        )
        .unwrap_err();
    assert!(matches!(taken, AccountError::Duplicate(_)), "{taken}");
    assert_eq!(keychain::load(&team.id).unwrap(), server.api_key);

    // Changed: renamed, the key kept when the form leaves it empty; tested with the stored key.
    let renamed = library
        .change_account(&team.id, &form("Marketing", &server.base_url, ""))
        .unwrap();
    assert_eq!(renamed.name, "Marketing");
    assert_eq!(keychain::load(&team.id).unwrap(), server.api_key);
    let stored = library
        .test_connection(&form("Marketing", &server.base_url, ""), Some(&team.id))
        .await
        .unwrap();
    assert_eq!(stored.total, Some(4));
    // The Local library is Trove's own: neither changed nor removed.
    let local = library.local_account().unwrap();
    assert!(matches!(
        library.change_account(&local.id, &good),
        Err(AccountError::LocalLibrary)
    ));
    assert!(matches!(
        library.remove_account(&local.id, true),
        Err(AccountError::LocalLibrary)
    ));

    // An edit not sent yet: removing must be forced, and the refusal says what would be lost.
    let first = library
        .query(&AssetQuery {
            account_id: Some(team.id.clone()),
            ..AssetQuery::default()
        })
        .unwrap()
        .items
        .remove(0);
    library
        .edit(&account, &first.id, &Edit::Rename("Unsent name".into()))
        .unwrap();
    let refused = library.remove_account(&team.id, false).unwrap_err();
    assert!(
        matches!(
            refused,
            AccountError::UnsentWork(ref work) if (work.edits, work.uploads) == (1, 0)
        ),
        "{refused}"
    );
    assert_eq!(cached(&library, &team.id), 4);
    assert_eq!(keychain::load(&team.id).unwrap(), server.api_key);

    library.remove_account(&team.id, true).unwrap();
    assert_eq!(library.account_settings().unwrap().len(), 1);
    assert_eq!(cached(&library, &team.id), 0);
    // Nor does a search find its assets any more.
    let found = library
        .query(&AssetQuery {
            text: Some("tile".to_owned()),
            ..AssetQuery::default()
        })
        .unwrap();
    assert_eq!(found.total, 0);
    assert!(matches!(
        keychain::load(&team.id),
        Err(KeychainError::NotFound(_))
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_form_gets_a_specific_error_and_changes_nothing() {
    let home = tempfile::tempdir().unwrap();
    let library = Library::open_quiet(home.path()).unwrap();
    library.local_account().unwrap();
    let cases = [
        (form("  ", "http://127.0.0.1:1", "k"), "needs a name"),
        (
            form(&"n".repeat(81), "http://127.0.0.1:1", "k"),
            "at most 80 characters; this one has 81",
        ),
        (
            form("Team", "ftp://example.com", "k"),
            "\"ftp://example.com\"",
        ),
        (form("Team", "not a url", "k"), "http:// or https://"),
        (
            form("Team", "http://127.0.0.1:1", "  "),
            "an API key is needed",
        ),
        (
            AccountForm {
                provider: "dropbox".to_owned(),
                ..form("Team", "http://127.0.0.1:1", "k")
            },
            "unknown provider \"dropbox\"",
        ),
    ];
    for (bad, expected) in cases {
        let error = library.create_account(&bad).unwrap_err().to_string();
        assert!(
            error.contains(expected),
            "{error:?} should say {expected:?}"
        );
    }
    assert_eq!(library.account_settings().unwrap().len(), 1);

    // Nothing listens there: the test says so instead of hanging or passing.
    let port = trove_tests::free_port();
    let unreachable = library
        .test_connection(
            &form("Team", &format!("http://127.0.0.1:{port}"), "k"),
            None,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(unreachable, AccountError::Connection(_)),
        "{unreachable}"
    );
}

/// The CLI over the same core: an account added with its key read from standard input (into the
/// keychain, not onto the command line), tested, synced, and removed only with --force while an
/// edit waits.
#[tokio::test(flavor = "multi_thread")]
async fn the_cli_adds_tests_and_removes_a_keychain_account() {
    use std::io::Write;
    let storage = tempfile::tempdir().unwrap();
    let mut server = ServerProcess::start(&storage.path().join("server"));
    let ids = server.seed_tiles(2).await;
    let cli = trove_tests::cli::Cli::new("unused");
    let mut add = cli
        .command(&[
            "account",
            "add",
            "studio",
            "--provider",
            "local",
            "--base-url",
            &server.base_url,
            "--api-key-stdin",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(add.stdin.take().unwrap(), "{}", server.api_key).unwrap();
    let added = add.wait_with_output().unwrap();
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    assert!(String::from_utf8_lossy(&added.stdout).contains("its key in the OS keychain"));
    assert!(cli
        .ok(&["account", "test", "studio"])
        .contains("studio: connected, 2 assets"));
    cli.ok(&["sync"]);
    assert_eq!(cli.cached(), 2);
    assert!(trove_tests::files_containing(&cli.data_dir, &server.api_key).is_empty());

    // Offline, a rename waits; removing the account then needs --force.
    server.kill_hard();
    cli.ok(&["rename", &ids[0], "Waiting name"]);
    let refused = cli.run(&["account", "rm", "studio"]);
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("studio has 1 edits and 0 uploads not sent yet"),
        "{said}"
    );
    assert_eq!(cli.cached(), 2);
    cli.ok(&["account", "rm", "studio", "--force"]);
    assert_eq!(cli.cached(), 0);
    assert!(!cli.ok(&["account", "ls"]).contains("studio"));
}
