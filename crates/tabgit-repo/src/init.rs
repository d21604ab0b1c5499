//! Creating a repository, laid out as `git init` lays it out.

use tabgit_store::files::{GitFiles, Transaction};
use tabgit_store::worktree::Worktree;

use crate::{Error, Repository};

/// How to create the repository.
#[derive(Clone, Debug)]
pub struct Options {
    /// The branch HEAD starts on.
    pub initial_branch: String,
    /// Whether the repository has no working tree.
    pub bare: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            initial_branch: "main".into(),
            bare: false,
        }
    }
}

/// Create a repository in `files` (which should be empty).
pub fn init<F: GitFiles + Clone>(
    files: F,
    worktree: Option<Box<dyn Worktree>>,
    options: &Options,
) -> Result<Repository<F>, Error> {
    if !files.exists("HEAD")? {
        let mut tx = Transaction::default();
        tx.write(
            "HEAD",
            format!("ref: refs/heads/{}\n", options.initial_branch).into_bytes(),
        );
        let bare = if options.bare { "true" } else { "false" };
        let logall = if options.bare {
            ""
        } else {
            "\tlogallrefupdates = true\n"
        };
        tx.write(
            "config",
            format!("[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = {bare}\n{logall}")
                .into_bytes(),
        );
        tx.write(
            "description",
            b"Unnamed repository; edit this file 'description' to name the repository.\n".to_vec(),
        );
        files.commit(tx)?;
    }
    Repository::open(files, if options.bare { None } else { worktree })
}
