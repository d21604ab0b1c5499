//! Stat data decides "possibly changed" as git's `ie_match_stat` does.
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::{Duration, SystemTime};

use tabgit_index::stat::{self, Changes, FileType, Metadata, Options, Outcome, Time};
use tabgit_index::{Entry, Flags, Mode, ObjectId, Stage, StatData};
use tabgit_testtools::Result;

use crate::Repo;

/// `lstat(2)` of `path`, as the index records it.
fn lstat(path: &Path) -> Result<Metadata> {
    let meta = std::fs::symlink_metadata(path)?;
    let file_type = if meta.file_type().is_symlink() {
        FileType::Symlink
    } else if meta.is_file() {
        FileType::File {
            executable: meta.mode() & 0o100 != 0,
        }
    } else if meta.is_dir() {
        FileType::Directory
    } else {
        FileType::Other
    };
    Ok(Metadata {
        stat: StatData {
            ctime: Time {
                secs: meta.ctime() as u32,
                nsecs: meta.ctime_nsec() as u32,
            },
            mtime: Time {
                secs: meta.mtime() as u32,
                nsecs: meta.mtime_nsec() as u32,
            },
            dev: meta.dev() as u32,
            ino: meta.ino() as u32,
            uid: meta.uid(),
            gid: meta.gid(),
            size: meta.size() as u32,
        },
        file_type,
    })
}

fn set_mtime(path: &Path, secs: u64) -> Result {
    let file = std::fs::File::options().write(true).open(path)?;
    file.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(secs))?;
    Ok(())
}

#[test]
fn real_files_after_git_add() -> Result {
    let repo = Repo::init()?;
    let path = repo.path(b"f");
    repo.write_file(b"f", b"content\n")?;
    // An mtime well before the index is written, so that the entry is not racily clean.
    set_mtime(&path, 1_600_000_000)?;
    repo.git(&["add", "f"])?;
    let state = repo.state()?;
    let entry = state.entry(b"f", Stage::Merged).ok_or("f is staged")?;
    let index_mtime = lstat(&repo.dir.join(".git/index"))?.stat.mtime;
    let options = Options::default();
    let compare = |entry: &Entry| -> Result<Outcome> {
        Ok(stat::compare(
            entry,
            &lstat(&path)?,
            Some(index_mtime),
            &options,
        ))
    };
    assert_eq!(
        compare(entry)?,
        Outcome::Unchanged,
        "git's stat data matches lstat"
    );

    std::fs::write(&path, b"CONTENT\n")?;
    set_mtime(&path, 1_600_000_100)?;
    let outcome = compare(entry)?;
    assert!(
        matches!(outcome, Outcome::CheckContent(changes) if changes.contains(Changes::MTIME)),
        "same size, new mtime: the content must be compared ({outcome:?})"
    );

    std::fs::write(&path, b"longer content\n")?;
    let outcome = compare(entry)?;
    assert!(
        matches!(outcome, Outcome::Modified(changes) if changes.contains(Changes::DATA)),
        "a new size is a change ({outcome:?})"
    );

    std::fs::write(&path, b"content\n")?;
    set_mtime(&path, 1_600_000_000)?;
    crate::set_executable(&path)?;
    let outcome = compare(entry)?;
    assert!(
        matches!(outcome, Outcome::Modified(changes) if changes.contains(Changes::MODE)),
        "a new executable bit is a change ({outcome:?})"
    );
    let ignore_mode = Options {
        trust_executable_bit: false,
        ..Options::default()
    };
    assert!(
        !matches!(
            stat::compare(entry, &lstat(&path)?, Some(index_mtime), &ignore_mode),
            Outcome::Modified(_)
        ),
        "core.fileMode=false ignores it"
    );

    std::fs::remove_file(&path)?;
    std::os::unix::fs::symlink("content", &path)?;
    assert!(
        matches!(compare(entry)?, Outcome::Modified(changes) if changes.contains(Changes::TYPE))
    );
    Ok(())
}

fn entry_with(stat: StatData, mode: Mode) -> Entry {
    Entry {
        stat,
        ..Entry::new(b"f".to_vec(), mode, ObjectId::from_bytes([1; 20]))
    }
}

fn recorded() -> StatData {
    StatData {
        ctime: Time {
            secs: 1000,
            nsecs: 5,
        },
        mtime: Time {
            secs: 1000,
            nsecs: 5,
        },
        dev: 1,
        ino: 2,
        uid: 3,
        gid: 4,
        size: 10,
    }
}

fn file(stat: StatData) -> Metadata {
    Metadata {
        stat,
        file_type: FileType::File { executable: false },
    }
}

#[test]
fn racily_clean_entries_must_be_hashed() {
    let entry = entry_with(recorded(), Mode::File);
    let options = Options::default();
    let same = file(recorded());
    let at = |secs, nsecs| Some(Time { secs, nsecs });
    assert_eq!(
        stat::compare(&entry, &same, at(1001, 0), &options),
        Outcome::Unchanged
    );
    assert_eq!(
        stat::compare(&entry, &same, at(1000, 0), &options),
        Outcome::CheckContent(Changes::RACY),
        "an mtime in the index file's second is racy"
    );
    assert_eq!(
        stat::compare(&entry, &same, None, &options),
        Outcome::Unchanged
    );
    assert_eq!(
        stat::compare(&entry, &same, at(0, 0), &options),
        Outcome::Unchanged
    );
    let nanoseconds = Options {
        check_nanoseconds: true,
        ..Options::default()
    };
    assert_eq!(
        stat::compare(&entry, &same, at(1000, 6), &nanoseconds),
        Outcome::Unchanged
    );
    assert_eq!(
        stat::compare(&entry, &same, at(1000, 5), &nanoseconds),
        Outcome::CheckContent(Changes::RACY)
    );
    let gitlink = entry_with(recorded(), Mode::Gitlink);
    assert!(!stat::is_racily_clean(
        &gitlink,
        Time {
            secs: 1000,
            nsecs: 0
        },
        &options
    ));
}

#[test]
fn configuration_selects_the_fields() {
    let entry = entry_with(recorded(), Mode::File);
    let index_mtime = Some(Time {
        secs: 2000,
        nsecs: 0,
    });
    let changed = |change: fn(&mut StatData), options: Options| {
        let mut stat = recorded();
        change(&mut stat);
        stat::compare(&entry, &file(stat), index_mtime, &options)
    };
    let defaults = Options::default();
    let minimal = Options {
        check_stat: false,
        ..Options::default()
    };
    assert_eq!(
        changed(|s| s.ino = 99, defaults),
        Outcome::CheckContent(Changes::INODE)
    );
    assert_eq!(
        changed(|s| s.ino = 99, minimal),
        Outcome::Unchanged,
        "core.checkStat=minimal"
    );
    assert_eq!(
        changed(|s| s.uid = 99, defaults),
        Outcome::CheckContent(Changes::OWNER)
    );
    assert_eq!(
        changed(|s| s.dev = 99, defaults),
        Outcome::Unchanged,
        "no USE_STDEV"
    );
    assert_eq!(
        changed(
            |s| s.dev = 99,
            Options {
                check_device: true,
                ..defaults
            }
        ),
        Outcome::CheckContent(Changes::INODE)
    );
    assert_eq!(
        changed(|s| s.ctime.secs = 99, defaults),
        Outcome::CheckContent(Changes::CTIME)
    );
    assert_eq!(
        changed(
            |s| s.ctime.secs = 99,
            Options {
                trust_ctime: false,
                ..defaults
            }
        ),
        Outcome::Unchanged,
        "core.trustCtime=false"
    );
    assert_eq!(
        changed(|s| s.mtime.nsecs = 99, defaults),
        Outcome::Unchanged,
        "no USE_NSEC"
    );
    assert_eq!(
        changed(
            |s| s.mtime.nsecs = 99,
            Options {
                check_nanoseconds: true,
                ..defaults
            }
        ),
        Outcome::CheckContent(Changes::MTIME)
    );
    assert_eq!(
        changed(|s| s.size = 11, minimal),
        Outcome::Modified(Changes::DATA),
        "size is always compared"
    );
}

#[test]
fn flags_and_special_entries() {
    let stat = recorded();
    let index_mtime = Some(Time {
        secs: 2000,
        nsecs: 0,
    });
    let options = Options::default();
    let gone = Metadata {
        stat: StatData::default(),
        file_type: FileType::Other,
    };
    for flags in [
        Flags {
            skip_worktree: true,
            ..Flags::default()
        },
        Flags {
            assume_valid: true,
            ..Flags::default()
        },
    ] {
        let entry = Entry {
            flags,
            ..entry_with(stat, Mode::File)
        };
        assert_eq!(
            stat::compare(&entry, &gone, index_mtime, &options),
            Outcome::Unchanged
        );
        let look = Options {
            ignore_skip_worktree: true,
            ignore_assume_valid: true,
            ..options
        };
        assert!(stat::compare(&entry, &gone, index_mtime, &look).is_possibly_changed());
    }
    let intent = Entry {
        flags: Flags {
            intent_to_add: true,
            ..Flags::default()
        },
        ..entry_with(stat, Mode::File)
    };
    assert_eq!(
        stat::compare(&intent, &file(stat), index_mtime, &options),
        Outcome::Modified(Changes::DATA | Changes::TYPE | Changes::MODE),
        "intent-to-add never matches"
    );

    let gitlink = entry_with(StatData::default(), Mode::Gitlink);
    let directory = Metadata {
        stat,
        file_type: FileType::Directory,
    };
    assert_eq!(
        stat::compare(&gitlink, &directory, index_mtime, &options),
        Outcome::CheckContent(Changes::empty()),
        "a gitlink compares the submodule's HEAD, not stat data"
    );
    assert_eq!(
        stat::compare(&gitlink, &file(stat), index_mtime, &options),
        Outcome::Modified(Changes::TYPE)
    );

    let symlink = entry_with(stat, Mode::Symlink);
    assert_eq!(
        stat::compare(&symlink, &file(stat), index_mtime, &options),
        Outcome::Modified(Changes::TYPE)
    );
    let no_symlinks = Options {
        has_symlinks: false,
        ..options
    };
    assert_eq!(
        stat::compare(&symlink, &file(stat), index_mtime, &no_symlinks),
        Outcome::Unchanged,
        "core.symlinks=false checks symlinks out as files"
    );
}

#[test]
fn zero_size_entries_need_their_content_compared() {
    // `git read-tree` leaves stat data zeroed; so does smudging a racily clean entry's size.
    let zeroed = entry_with(StatData::default(), Mode::File);
    let options = Options::default();
    let outcome = stat::compare(&zeroed, &file(recorded()), None, &options);
    assert!(
        matches!(outcome, Outcome::CheckContent(changes) if changes.contains(Changes::DATA)),
        "{outcome:?}"
    );
    let empty_blob = Entry {
        object_id: "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
            .parse()
            .expect("hex"),
        ..entry_with(
            StatData {
                size: 0,
                ..recorded()
            },
            Mode::File,
        )
    };
    let empty_file = file(StatData {
        size: 0,
        ..recorded()
    });
    assert_eq!(
        stat::compare(&empty_blob, &empty_file, None, &options),
        Outcome::Unchanged,
        "an empty file really has size 0"
    );
    assert_eq!(
        format!("{:?}", Changes::DATA | Changes::RACY),
        "{DATA, RACY}"
    );
}
