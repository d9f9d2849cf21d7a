//! Writing into `--out`. Every file a command writes is listed here once:
//! [`check`] looks at each before any work (nothing is overwritten without
//! `--force`), and [`write`] refuses a name that is not on its command's
//! list, so the check and the writer cannot drift apart. No output is ever
//! written through a symlink, with or without `--force`: an output path that
//! is a symlink (dangling or not) is refused, naming it.

use anyhow::{bail, Context, Result};
use std::fs::OpenOptions;
use std::io::{ErrorKind, Write as _};
use std::path::{Path, PathBuf};

/// The charts `calibrate` writes (and the HTML report inlines).
pub const CHARTS: [&str; 4] = ["loss_distribution.svg", "tail_fit.svg", "parameter_sweep.svg", "cvar_convergence.svg"];

/// Every file `calibrate` writes.
pub const CALIBRATE: [&str; 8] =
    ["params.json", CHARTS[0], CHARTS[1], CHARTS[2], CHARTS[3], "report.md", "report.html", "config.toml"];

/// Every file `compare` writes.
pub const COMPARE: [&str; 3] = ["compare.json", "compare.md", "config.toml"];

/// The file `simulate --scenario NAME` writes.
pub fn simulate(scenario: &str) -> String {
    format!("simulate-{scenario}.json")
}

/// Checks, before any work, that `files` can be written into `dir`: the
/// folder can be created and written, no output is a symlink or anything
/// but a regular file, and none exists unless `force`.
pub fn check(dir: &Path, files: &[&str], force: bool) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("--out: cannot create {}", dir.display()))?;
    // A fresh name, created exclusively: O_EXCL follows no symlink, so a
    // planted one cannot make the probe write anywhere.
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let probe = dir.join(format!(".bulwark-write-check-{}-{nanos}", std::process::id()));
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .with_context(|| format!("--out: cannot write into {}", dir.display()))?;
    let _ = std::fs::remove_file(&probe);
    for f in files {
        let path = dir.join(f);
        match std::fs::symlink_metadata(&path) {
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => bail!("--out: cannot inspect {}: {e}", path.display()),
            Ok(m) if m.file_type().is_symlink() => bail!(
                "--out: {} is a symlink; outputs are never written through one (remove it, or choose another --out)",
                path.display()
            ),
            Ok(m) if !m.is_file() => bail!("--out: {} exists and is not a regular file", path.display()),
            Ok(_) if !force => bail!("--out: {} already exists; pass --force to overwrite it", path.display()),
            Ok(_) => {}
        }
    }
    Ok(())
}

/// Writes `bytes` to `dir/name`, which must be on `listed` (the command's
/// outputs, as [`check`] saw them). The file is opened without following a
/// symlink (O_NOFOLLOW) and without blocking on a FIFO (O_NONBLOCK), and
/// must turn out to be a regular file.
pub fn write(dir: &Path, name: &str, bytes: &[u8], listed: &[&str]) -> Result<PathBuf> {
    if !listed.contains(&name) {
        bail!("internal error: {name} is not among this command's outputs {listed:?}");
    }
    let path = dir.join(name);
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let refused = || format!("cannot write {}: it is a symlink; outputs are never written through one", path.display());
    if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
        bail!(refused());
    }
    let mut file = match options.open(&path) {
        // O_NOFOLLOW's answer when the last component is a symlink.
        #[cfg(unix)]
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => bail!(refused()),
        r => r.with_context(|| format!("cannot write {}", path.display()))?,
    };
    if !file.metadata().with_context(|| format!("cannot write {}", path.display()))?.is_file() {
        bail!("cannot write {}: it is not a regular file", path.display());
    }
    file.write_all(bytes).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_outputs_of_calibrate() {
        for c in CHARTS {
            assert!(CALIBRATE.contains(&c));
        }
    }

    #[test]
    fn a_name_off_the_list_is_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let e = write(dir.path(), "extra.svg", b"x", &CALIBRATE).unwrap_err().to_string();
        assert!(e.contains("extra.svg"), "{e}");
        assert!(!dir.path().join("extra.svg").exists());
        write(dir.path(), "report.md", b"x", &CALIBRATE).unwrap();
        assert_eq!(std::fs::read(dir.path().join("report.md")).unwrap(), b"x");
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_neither_followed_nor_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        std::fs::write(&target, "keep").unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        std::os::unix::fs::symlink(&target, out.join("report.md")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("nowhere"), out.join("params.json")).unwrap();
        for force in [false, true] {
            for f in ["report.md", "params.json"] {
                let e = check(&out, &[f], force).unwrap_err().to_string();
                assert!(e.contains("symlink") && e.contains(f), "{e}");
            }
        }
        for f in ["report.md", "params.json"] {
            let e = write(&out, f, b"x", &CALIBRATE).unwrap_err().to_string();
            assert!(e.contains("symlink"), "{e}");
        }
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
        assert!(!dir.path().join("nowhere").exists());
    }
}
