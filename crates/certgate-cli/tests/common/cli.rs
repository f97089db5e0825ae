//! Shared helpers for the CLI's integration tests: run the built `certgate` binary and the
//! real peers (openssl, keytool) in a temporary directory.
#![allow(dead_code)] // each test file uses its own subset

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A temporary working directory; removed when dropped.
pub struct Dir {
    tmp: tempfile::TempDir,
}

impl Dir {
    pub fn new() -> Self {
        Self {
            tmp: tempfile::tempdir().expect("temporary directory"),
        }
    }

    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.join(name)).unwrap_or_else(|e| panic!("read {name}: {e}"))
    }

    pub fn write(&self, name: &str, contents: &str) {
        std::fs::write(self.join(name), contents).unwrap_or_else(|e| panic!("write {name}: {e}"));
    }

    /// Runs `certgate ARGS` here with `envs` and no inherited CERTGATE_PASSWORD or
    /// CERTGATE_KEY_PASSWORD.
    pub fn certgate_env(&self, args: &[&str], envs: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_certgate"));
        cmd.args(args)
            .current_dir(self.path())
            .env_remove("CERTGATE_PASSWORD")
            .env_remove("CERTGATE_KEY_PASSWORD");
        for (k, v) in envs {
            cmd.env(k, v);
        }
        cmd.output().expect("run certgate")
    }

    /// Runs `certgate ARGS` here.
    pub fn certgate(&self, args: &[&str]) -> Output {
        self.certgate_env(args, &[])
    }

    /// Runs `certgate ARGS` and requires success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.certgate(args);
        assert_success(&out, &format!("certgate {}", args.join(" ")));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs a tool (openssl, keytool) here.
    pub fn tool(&self, program: &str, args: &[&str]) -> Output {
        Command::new(program)
            .args(args)
            .current_dir(self.path())
            .output()
            .unwrap_or_else(|e| panic!("{program} must be installed: {e}"))
    }

    /// Runs `openssl ARGS` and requires success; returns stdout and stderr together.
    pub fn openssl(&self, args: &[&str]) -> String {
        let out = self.tool("openssl", args);
        assert_success(&out, &format!("openssl {}", args.join(" ")));
        text(&out)
    }

    /// A root CA (root.pem/root.key), an intermediate (int.pem/int.key) and its chain file
    /// (int-chain.pem), all P-256.
    pub fn two_tier_ca(&self) {
        self.ok(&[
            "ca",
            "init",
            "--cn",
            "Test Root",
            "--subject",
            "O=certgate tests,C=GB",
            "--cert-out",
            "root.pem",
            "--key-out",
            "root.key",
        ]);
        self.ok(&[
            "ca",
            "intermediate",
            "--ca",
            "root.pem",
            "--ca-key",
            "root.key",
            "--cn",
            "Test Issuing CA",
            "--cert-out",
            "int.pem",
            "--key-out",
            "int.key",
        ]);
    }

    /// Issues a client certificate `NAME.pem` (leaf), `NAME.key` and `NAME-chain.pem` from int.
    pub fn client(&self, name: &str, extra: &[&str]) {
        let cert = format!("{name}.pem");
        let key = format!("{name}.key");
        let chain = format!("{name}-chain.pem");
        let mut args = vec![
            "cert",
            "issue",
            "--ca",
            "int.pem",
            "--ca-key",
            "int.key",
            "--cn",
            name,
            "--cert-out",
            &cert,
            "--key-out",
            &key,
            "--chain-out",
            &chain,
        ];
        args.extend_from_slice(extra);
        self.ok(&args);
    }
}

/// stdout + stderr as text.
pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

pub fn assert_success(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed ({:?}):\n{}",
        out.status.code(),
        text(out)
    );
}

/// The file's permission bits.
#[cfg(unix)]
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}
