//! The `trove` CLI as the suites drive it: a data directory of its own, and the API key of its
//! `team` account in its environment (`TEAM_KEY`), never on the command line.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

pub struct Cli {
    pub data_dir: PathBuf,
    key: String,
    _home: Option<tempfile::TempDir>,
}

impl Cli {
    /// A client with a fresh data directory; `key` is what `TEAM_KEY` holds.
    pub fn new(key: &str) -> Cli {
        let home = tempfile::tempdir().expect("a temp dir");
        Cli {
            data_dir: home.path().to_owned(),
            key: key.to_owned(),
            _home: Some(home),
        }
    }

    /// A client on a given data directory (which may not exist yet).
    pub fn at(data_dir: &Path, key: &str) -> Cli {
        Cli {
            data_dir: data_dir.to_owned(),
            key: key.to_owned(),
            _home: None,
        }
    }

    /// A client with a `team` account on the Trove server at `base_url`.
    pub fn with_team(base_url: &str, key: &str) -> Cli {
        let cli = Cli::new(key);
        cli.add_team(base_url);
        cli
    }

    /// Adds the `team` account (provider `local`, key from `TEAM_KEY`).
    pub fn add_team(&self, base_url: &str) {
        self.ok(&[
            "account",
            "add",
            "team",
            "--provider",
            "local",
            "--base-url",
            base_url,
            "--api-key-env",
            "TEAM_KEY",
        ]);
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(crate::bin("trove"));
        command
            .arg("--data-dir")
            .arg(&self.data_dir)
            .args(args)
            .env("TEAM_KEY", &self.key);
        command
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("trove runs")
    }

    /// Runs and expects success; returns standard output.
    pub fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(
            output.status.success(),
            "trove {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("UTF-8 output")
    }

    /// How many assets the cache lists.
    pub fn cached(&self) -> usize {
        self.ok(&["ls", "--limit", "1000"]).lines().count()
    }

    pub fn status(&self) -> String {
        self.ok(&["status"])
    }

    /// Starts `args`, lets it run for `after`, and kills it with SIGKILL.
    pub async fn kill_during(&self, args: &[&str], after: Duration) {
        let mut child = self
            .command(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("trove starts");
        tokio::time::sleep(after).await;
        assert!(
            child.try_wait().expect("status").is_none(),
            "trove {args:?} ended before it could be killed"
        );
        child.kill().expect("kill");
        child.wait().expect("reaped");
    }
}
