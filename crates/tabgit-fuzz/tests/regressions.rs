//! Replays every saved fuzz input on stable Rust: the inputs that once crashed a target, hung it
//! or made it run out of memory (`regressions/<target>/`), and the committed seeds
//! (`seeds/<target>/`), through the same functions the libFuzzer binaries call.
//!
//! A failing file is reported by path, with the panic message; replay one alone with
//! `scripts/fuzz replay TARGET FILE`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tabgit_testtools::Result;

/// How long one input may take in a debug build before it counts as a hang (the fuzzer's own
/// `-timeout` is 10 s on an optimized build).
const SLOW: Duration = Duration::from_secs(20);

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn inputs(dir: &Path) -> Result<Vec<PathBuf>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let hidden = path
            .file_name()
            .and_then(|name| name.to_str())
            .is_some_and(|name| name.starts_with('.') || name == "README.md");
        if path.is_file() && !hidden {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Run every file of every target; collect the failures so one run reports them all.
fn replay(kind: &str) -> Result<usize> {
    let mut failures = Vec::new();
    let mut n_inputs = 0;
    for target in tabgit_fuzz::TARGETS {
        for path in inputs(&crate_dir().join(kind).join(target.name))? {
            let data = std::fs::read(&path)?;
            n_inputs += 1;
            let start = Instant::now();
            let res = std::panic::catch_unwind(|| (target.run)(&data));
            let elapsed = start.elapsed();
            match res {
                Err(panic) => {
                    let message = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                        .unwrap_or_default();
                    failures.push(format!("{}: panicked: {message}", path.display()));
                }
                Ok(()) if elapsed > SLOW => failures.push(format!(
                    "{}: took {elapsed:?} (more than {SLOW:?})",
                    path.display()
                )),
                Ok(()) => {}
            }
        }
    }
    assert!(
        failures.is_empty(),
        "every saved input runs without a panic or a hang:\n{}",
        failures.join("\n")
    );
    Ok(n_inputs)
}

#[test]
fn regression_inputs_replay_without_panic_or_hang() -> Result {
    replay("regressions")?;
    Ok(())
}

#[test]
fn seed_inputs_replay_without_panic_or_hang() -> Result {
    let n_inputs = replay("seeds")?;
    assert!(n_inputs > 0, "the committed seeds are replayed");
    Ok(())
}

#[test]
fn every_saved_input_directory_names_a_target() -> Result {
    for kind in ["regressions", "seeds"] {
        let dir = crate_dir().join(kind);
        if !dir.is_dir() {
            continue;
        }
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if !path.is_dir() {
                continue;
            }
            let name = path
                .file_name()
                .and_then(|name| name.to_str())
                .unwrap_or_default();
            assert!(
                tabgit_fuzz::target(name).is_some(),
                "{} names no fuzz target (known: {})",
                path.display(),
                tabgit_fuzz::TARGETS
                    .iter()
                    .map(|target| target.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    Ok(())
}

#[test]
fn every_target_has_a_libfuzzer_binary() -> Result {
    let manifest = std::fs::read_to_string(crate_dir().join("Cargo.toml"))?;
    for target in tabgit_fuzz::TARGETS {
        let source = crate_dir()
            .join("fuzz_targets")
            .join(format!("{}.rs", target.name));
        let text = std::fs::read_to_string(&source)
            .map_err(|err| format!("{}: {err}", source.display()))?;
        assert!(
            text.contains(&format!("tabgit_fuzz::{}(data)", target.name)),
            "{} calls the library function of the same name",
            source.display()
        );
        assert!(
            manifest.contains(&format!("name = \"{}\"", target.name)),
            "Cargo.toml declares the binary {}",
            target.name
        );
    }
    Ok(())
}
