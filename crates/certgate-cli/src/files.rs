//! Files in and out. Inputs are read within a size limit. Outputs are collected first and
//! written together at the end: each to a temporary file beside its destination, then moved
//! into place, so a failed command leaves nothing half-written. Private keys and key stores
//! are created 0600; nothing is replaced unless `--force` was given.

use std::fs::{self, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::error::{fail, Context, Error};

/// Largest input file read: 64 MiB, four times the core's largest bundle limit
/// (`Limits::bundle_bytes`, 16 MiB), so the core's own limits still decide.
const MAX_INPUT_BYTES: u64 = 64 << 20;

/// Reads an input file, or standard input for `-`, within [`MAX_INPUT_BYTES`].
pub fn read(path: &Path) -> Result<Vec<u8>, Error> {
    let mut data = Vec::new();
    let result = if path == Path::new("-") {
        std::io::stdin()
            .lock()
            .take(MAX_INPUT_BYTES + 1)
            .read_to_end(&mut data)
    } else {
        fs::File::open(path).and_then(|f| f.take(MAX_INPUT_BYTES + 1).read_to_end(&mut data))
    };
    result.context(|| format!("cannot read {}", path.display()))?;
    if data.len() as u64 > MAX_INPUT_BYTES {
        return Err(fail!(
            "{} is larger than {} MiB; it is not a certificate file",
            path.display(),
            MAX_INPUT_BYTES >> 20
        ));
    }
    Ok(data)
}

/// Whether a file's contents are secret (private keys, key stores: 0600) or public (0644).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Certificates, CSRs, CRLs, trust stores, configuration.
    Public,
    /// Private keys and anything holding one.
    Secret,
}

impl Mode {
    fn bits(self) -> u32 {
        match self {
            Self::Public => 0o644,
            Self::Secret => 0o600,
        }
    }
}

/// The files one command writes, written together by [`Outputs::commit`].
#[derive(Debug)]
pub struct Outputs {
    force: bool,
    files: Vec<(PathBuf, Mode, Vec<u8>)>,
}

impl Outputs {
    /// Checks up front, before any work is done, that none of `paths` exists (unless `force`)
    /// and that no path is named twice.
    pub fn check(paths: &[&Path], force: bool) -> Result<Self, Error> {
        for (i, path) in paths.iter().enumerate() {
            if paths[..i].contains(path) {
                return Err(fail!(
                    "{} is named as two different outputs",
                    path.display()
                ));
            }
            if path.is_dir() {
                return Err(fail!("{} is a directory; name a file", path.display()));
            }
            if !force && fs::symlink_metadata(path).is_ok() {
                return Err(fail!(
                    "{} exists; use --force to replace it",
                    path.display()
                ));
            }
        }
        Ok(Self {
            force,
            files: Vec::new(),
        })
    }

    /// Adds a file to write.
    pub fn add(&mut self, path: &Path, mode: Mode, contents: impl Into<Vec<u8>>) {
        self.files.push((path.to_path_buf(), mode, contents.into()));
    }

    /// Writes every file: all to temporary files first (removed again if any fails), then
    /// each moved into place. Without `--force` an existing destination is never replaced,
    /// even one that appeared since [`Outputs::check`].
    pub fn commit(self) -> Result<(), Error> {
        let mut staged: Vec<(PathBuf, &Path)> = Vec::with_capacity(self.files.len());
        for (path, mode, contents) in &self.files {
            match stage(path, *mode, contents) {
                Ok(tmp) => staged.push((tmp, path)),
                Err(err) => {
                    for (tmp, _) in &staged {
                        let _ = fs::remove_file(tmp);
                    }
                    return Err(err);
                }
            }
        }
        let mut result = Ok(());
        for (tmp, path) in &staged {
            if result.is_ok() {
                result = place(tmp, path, self.force);
            }
            let _ = fs::remove_file(tmp);
        }
        result
    }
}

/// Writes `contents` to a new temporary file beside `path`, created with `mode`'s permissions.
fn stage(path: &Path, mode: Mode, contents: &[u8]) -> Result<PathBuf, Error> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&dir).context(|| format!("cannot create directory {}", dir.display()))?;
    let name = path
        .file_name()
        .ok_or_else(|| fail!("{} does not name a file", path.display()))?;
    let mut nonce = [0u8; 8];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut nonce)
        .map_err(|_| fail!("the system random number generator failed"))?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        certgate::hex(&nonce)
    ));
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode.bits());
    }
    let written = options.open(&tmp).and_then(|mut file| {
        file.write_all(contents)?;
        file.sync_all()
    });
    if let Err(err) = written {
        let _ = fs::remove_file(&tmp);
        return Err(fail!("cannot write {}: {err}", path.display()));
    }
    Ok(tmp)
}

/// Moves a staged file into place: a hard link (which fails if the destination exists) when
/// replacing is not allowed, an atomic rename when it is.
fn place(tmp: &Path, path: &Path, force: bool) -> Result<(), Error> {
    if force {
        return fs::rename(tmp, path).context(|| format!("cannot write {}", path.display()));
    }
    match fs::hard_link(tmp, path) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => Err(fail!(
            "{} exists; use --force to replace it",
            path.display()
        )),
        // File systems without hard links: check, then rename.
        Err(_) if fs::symlink_metadata(path).is_err() => {
            fs::rename(tmp, path).context(|| format!("cannot write {}", path.display()))
        }
        Err(err) => Err(fail!("cannot write {}: {err}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_with_modes_and_refuses_to_replace() -> Result<(), Error> {
        let dir = tempfile::tempdir().context(|| "tempdir".into())?;
        let key = dir.path().join("sub/key.pem");
        let cert = dir.path().join("cert.pem");
        let mut out = Outputs::check(&[&key, &cert], false)?;
        out.add(&key, Mode::Secret, "secret");
        out.add(&cert, Mode::Public, "public");
        out.commit()?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| fs::metadata(p).map(|m| m.permissions().mode() & 0o777).ok();
            assert_eq!(mode(&key), Some(0o600));
        }
        assert!(Outputs::check(&[&cert], false).is_err());
        let mut out = Outputs::check(&[&cert], true)?;
        out.add(&cert, Mode::Public, "new");
        out.commit()?;
        assert_eq!(fs::read_to_string(&cert).ok().as_deref(), Some("new"));
        // No temporary files are left behind.
        let leftovers = fs::read_dir(dir.path()).map(|d| d.count()).unwrap_or(0);
        assert_eq!(leftovers, 2);
        Ok(())
    }
}
