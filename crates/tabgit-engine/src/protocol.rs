//! The messages between the page and the engine worker, encoded with `bincode`.
//!
//! Every request carries an id chosen by the page; every event names the request it belongs to,
//! so several operations can be in flight and progress reaches the right place.

use serde::{Deserialize, Serialize};

/// A request from the page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    /// Chosen by the page, echoed in every [`Event`] for this request.
    pub id: u64,
    /// What to do.
    pub op: Op,
}

/// Who makes commits and moves refs, and when (the page reads the clock, not the core).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// The name.
    pub name: String,
    /// The email.
    pub email: String,
    /// Seconds since the epoch.
    pub time: i64,
    /// The time zone, in minutes east of UTC.
    pub offset_minutes: i32,
}

/// Credentials for one request, bound by the engine to the URL's own origin.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Secret {
    /// HTTP Basic.
    Basic {
        /// User name.
        username: String,
        /// Token or password.
        secret: String,
    },
    /// `Authorization: Bearer`.
    Bearer {
        /// The token.
        token: String,
    },
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Secret::Basic { username, .. } => write!(f, "Basic({username}, <redacted>)"),
            Secret::Bearer { .. } => f.write_str("Bearer(<redacted>)"),
        }
    }
}

/// How to reach a remote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remote {
    /// The repository URL (`https://host/owner/repo.git`).
    pub url: String,
    /// The CORS proxy to go through (`https://proxy.example`), if any.
    pub proxy: Option<String>,
    /// Credentials for the URL's origin.
    pub secret: Option<Secret>,
}

/// An operation the engine performs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    /// Check that the engine is alive.
    Ping,
    /// Compute the id of an object (`git hash-object -t <kind>`).
    HashObject {
        /// `blob`, `tree`, `commit` or `tag`.
        kind: String,
        /// The content.
        data: Vec<u8>,
    },
    /// List the repositories stored in this browser.
    ListRepos,
    /// How much storage is used and available.
    StorageEstimate,
    /// Clone a repository into a new local repository `name`.
    Clone {
        /// The local name.
        name: String,
        /// Where from.
        remote: Remote,
        /// Check out this branch (default: the remote's HEAD).
        branch: Option<String>,
        /// History depth.
        depth: Option<u32>,
        /// A partial clone filter (`blob:none`).
        filter: Option<String>,
        /// Who clones.
        identity: Identity,
    },
    /// Delete a local repository and everything in it.
    DeleteRepo {
        /// The local name.
        name: String,
    },
    /// Summary of one repository.
    Info {
        /// The local name.
        repo: String,
    },
    /// The files of the working tree.
    ListFiles {
        /// The local name.
        repo: String,
    },
    /// A file's exact bytes.
    ReadFile {
        /// The local name.
        repo: String,
        /// The repository path.
        path: Vec<u8>,
    },
    /// Write a file's exact bytes.
    WriteFile {
        /// The local name.
        repo: String,
        /// The repository path.
        path: Vec<u8>,
        /// The bytes.
        data: Vec<u8>,
        /// Whether it is executable.
        executable: bool,
    },
    /// Delete a file.
    DeleteFile {
        /// The local name.
        repo: String,
        /// The repository path.
        path: Vec<u8>,
    },
    /// Commits from a revision, newest first, a page at a time.
    Log {
        /// The local name.
        repo: String,
        /// Where to start (`HEAD` if `None`).
        start: Option<String>,
        /// How many commits to skip.
        skip: usize,
        /// How many to return.
        count: usize,
    },
    /// Fetch from `origin`.
    Fetch {
        /// The local name.
        repo: String,
        /// How to reach the remote (its URL may be taken from the repository's config).
        remote: Remote,
        /// Who fetches.
        identity: Identity,
    },
    /// Push the current branch to `origin`.
    Push {
        /// The local name.
        repo: String,
        /// How to reach the remote.
        remote: Remote,
        /// Force.
        force: bool,
        /// Who pushes.
        identity: Identity,
    },
    /// Check that a remote answers (an `ls-refs` through the proxy), for a connection's status.
    TestRemote {
        /// How to reach it.
        remote: Remote,
    },
    /// The working tree's status against the index and HEAD.
    Status {
        /// The local name.
        repo: String,
    },
    /// Stage whole files (`git add`; a deleted file is staged as deleted).
    Stage {
        /// The local name.
        repo: String,
        /// Repository paths.
        paths: Vec<Vec<u8>>,
    },
    /// Unstage files (`git restore --staged`).
    Unstage {
        /// The local name.
        repo: String,
        /// Repository paths.
        paths: Vec<Vec<u8>>,
    },
    /// Stage or unstage one hunk of a file's diff.
    StageHunk {
        /// The local name.
        repo: String,
        /// The repository path.
        path: Vec<u8>,
        /// The hunk's index in the diff shown.
        hunk: usize,
        /// Unstage instead (a hunk of the staged diff).
        unstage: bool,
        /// [`FileDiff::old_id`] of the diff shown: staging fails if the file changed since.
        old_id: Option<String>,
        /// [`FileDiff::new_id`] of the diff shown.
        new_id: Option<String>,
    },
    /// Throw away unstaged changes to files (`git restore`).
    Discard {
        /// The local name.
        repo: String,
        /// Repository paths.
        paths: Vec<Vec<u8>>,
    },
    /// Commit the index.
    Commit {
        /// The local name.
        repo: String,
        /// The whole message.
        message: String,
        /// Replace the last commit.
        amend: bool,
        /// Author and committer.
        identity: Identity,
    },
    /// The diff of one file (`staged`: index vs HEAD; else worktree vs index), for display.
    DiffFile {
        /// The local name.
        repo: String,
        /// The repository path.
        path: Vec<u8>,
        /// Which diff.
        staged: bool,
    },
    /// Fetch and fast-forward (or merge) the current branch.
    Pull {
        /// The local name.
        repo: String,
        /// How to reach the remote.
        remote: Remote,
        /// Who pulls.
        identity: Identity,
    },
    /// Branches and tags.
    Branches {
        /// The local name.
        repo: String,
    },
    /// Ahead/behind of the current branch against its upstream.
    SyncState {
        /// The local name.
        repo: String,
    },
    /// A page of history with its graph lanes (`git log --graph`, paged).
    History {
        /// The local name.
        repo: String,
        /// Where to start (`HEAD` if `None`); a branch, tag or commit.
        start: Option<String>,
        /// Every branch, remote-tracking branch and tag instead (`--all`).
        all: bool,
        /// Only commits touching this path, following renames.
        path: Option<Vec<u8>>,
        /// Only commits whose author (`Name <email>`) contains this text (any case).
        author: Option<String>,
        /// Only commits whose message contains this text (any case).
        text: Option<String>,
        /// How many commits to skip.
        skip: usize,
        /// How many to return.
        count: usize,
    },
    /// One commit: its message and changed files (`git show --stat`).
    ShowCommit {
        /// The local name.
        repo: String,
        /// The commit.
        id: String,
    },
    /// One file's diff in a commit against its first parent.
    CommitFileDiff {
        /// The local name.
        repo: String,
        /// The commit.
        id: String,
        /// The path (the new path of a rename).
        path: Vec<u8>,
    },
    /// Who last changed each line of a file (`git blame`).
    Blame {
        /// The local name.
        repo: String,
        /// The path.
        path: Vec<u8>,
        /// At which commit (`HEAD` if `None`).
        rev: Option<String>,
    },
    /// A file's content at a commit (`git show <commit>:<path>`).
    FileAt {
        /// The local name.
        repo: String,
        /// The commit.
        rev: String,
        /// The path.
        path: Vec<u8>,
    },
    /// Create a branch (`git branch`, or `git switch -c` with `switch`).
    CreateBranch {
        /// The local name.
        repo: String,
        /// The new branch's short name.
        name: String,
        /// Where it starts (`HEAD` if `None`).
        start: Option<String>,
        /// Switch to it.
        switch: bool,
        /// Who (for the reflog).
        identity: Identity,
    },
    /// Switch to a branch (`git switch`); a remote-tracking name creates the local branch.
    Switch {
        /// The local name.
        repo: String,
        /// The branch's short name (`main`, or `origin/topic`).
        branch: String,
        /// Who (for the reflog).
        identity: Identity,
    },
    /// Delete a local branch (`git branch -d`, or `-D` with `force`).
    DeleteBranch {
        /// The local name.
        repo: String,
        /// The branch's short name.
        name: String,
        /// Delete even if not merged.
        force: bool,
    },
    /// Merge a branch or commit into the current branch (`git merge`).
    Merge {
        /// The local name.
        repo: String,
        /// What to merge (`origin/main`, a branch, a commit).
        rev: String,
        /// Who.
        identity: Identity,
    },
    /// Give up a merge, revert or cherry-pick in progress (`git merge --abort`).
    AbortMerge {
        /// The local name.
        repo: String,
        /// Who (for the reflog).
        identity: Identity,
    },
    /// Commit a merge (or revert) whose conflicts are resolved (`git merge --continue`).
    ContinueMerge {
        /// The local name.
        repo: String,
        /// Who.
        identity: Identity,
    },
    /// A conflicted file's three versions and hunks.
    Conflict {
        /// The local name.
        repo: String,
        /// The path.
        path: Vec<u8>,
    },
    /// Resolve a conflicted file.
    Resolve {
        /// The local name.
        repo: String,
        /// The path.
        path: Vec<u8>,
        /// How.
        resolution: Resolution,
    },
    /// Undo a commit with a new commit (`git revert`).
    Revert {
        /// The local name.
        repo: String,
        /// The commit to revert.
        id: String,
        /// Who.
        identity: Identity,
    },
    /// Put files back as they were at a commit, in the working tree and the index
    /// (`git restore --source=<rev> --staged --worktree`).
    RestoreFiles {
        /// The local name.
        repo: String,
        /// The commit.
        rev: String,
        /// The paths.
        paths: Vec<Vec<u8>>,
    },
    /// Move the current branch to a commit (`git reset --soft|--mixed|--hard`).
    Reset {
        /// The local name.
        repo: String,
        /// The commit.
        rev: String,
        /// How much to reset.
        mode: ResetMode,
        /// Who (for the reflog).
        identity: Identity,
    },
    /// Rename or move a file or a folder in the working tree, in one transaction.
    RenamePath {
        /// The local name.
        repo: String,
        /// The current path.
        from: Vec<u8>,
        /// The new path.
        to: Vec<u8>,
    },
    /// Delete a file or a whole folder from the working tree, in one transaction.
    DeletePath {
        /// The local name.
        repo: String,
        /// The path.
        path: Vec<u8>,
    },
    /// Rename a local branch (`git branch -m`).
    RenameBranch {
        /// The local name.
        repo: String,
        /// The branch's short name.
        from: String,
        /// Its new short name.
        to: String,
        /// Who (for the reflog).
        identity: Identity,
    },
    /// Create a tag (`git tag`; annotated when `message` is given).
    CreateTag {
        /// The local name.
        repo: String,
        /// The tag's name.
        name: String,
        /// What it points at (`HEAD` if `None`).
        target: Option<String>,
        /// The annotation's message.
        message: Option<String>,
        /// Who tags.
        identity: Identity,
    },
    /// Delete a local tag.
    DeleteTag {
        /// The local name.
        repo: String,
        /// The tag's name.
        name: String,
    },
    /// Push chosen refs (`git push origin <src>:<dst>`, `:<dst>` deletes), optionally setting
    /// the upstream of pushed branches (`-u`).
    PushRefs {
        /// The local name.
        repo: String,
        /// How to reach the remote.
        remote: Remote,
        /// What to push.
        refs: Vec<PushSpec>,
        /// Set each pushed local branch's upstream to what it was pushed to.
        set_upstream: bool,
        /// Who (for the reflog of remote-tracking refs).
        identity: Identity,
    },
    /// Save local changes away (`git stash push`).
    StashSave {
        /// The local name.
        repo: String,
        /// A message (`WIP on <branch>` if `None`).
        message: Option<String>,
        /// Who.
        identity: Identity,
    },
    /// The stashes, newest first.
    StashList {
        /// The local name.
        repo: String,
    },
    /// Apply a stash (`git stash apply`), keeping it.
    StashApply {
        /// The local name.
        repo: String,
        /// Which (`0` is the newest).
        index: usize,
        /// Drop it once applied (`git stash pop`).
        pop: bool,
    },
    /// Drop a stash.
    StashDrop {
        /// The local name.
        repo: String,
        /// Which.
        index: usize,
    },
    /// A ref's reflog, newest first (what "undo" of a reset or commit goes back to).
    Reflog {
        /// The local name.
        repo: String,
        /// The ref (`HEAD`, or a branch's short name).
        name: String,
        /// At most this many entries.
        count: usize,
    },
    /// Cancel a running request.
    Cancel {
        /// The request to cancel.
        request: u64,
    },
}

/// What changed about a file on one side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChangeKind {
    /// New.
    Added,
    /// Changed.
    Modified,
    /// Gone.
    Deleted,
    /// Renamed (with the old path in [`FileStatus::old_path`]).
    Renamed,
    /// File type changed (file, symlink, submodule).
    TypeChanged,
    /// Not tracked.
    Untracked,
    /// In conflict.
    Conflicted,
}

/// One changed file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileStatus {
    /// The repository path.
    pub path: Vec<u8>,
    /// The old path of a rename.
    pub old_path: Option<Vec<u8>>,
    /// Staged change (index vs HEAD).
    pub staged: Option<ChangeKind>,
    /// Unstaged change (worktree vs index), `Untracked` for new files.
    pub unstaged: Option<ChangeKind>,
}

/// The status of a repository.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusSummary {
    /// The current branch, or `None` when detached.
    pub branch: Option<String>,
    /// Commits ahead of the upstream.
    pub ahead: usize,
    /// Commits behind the upstream.
    pub behind: usize,
    /// Whether a merge is in progress.
    pub merging: bool,
    /// Changed files.
    pub files: Vec<FileStatus>,
}

/// One line of a diff for display.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffLine {
    /// `' '`, `'+'` or `'-'`.
    pub kind: char,
    /// The line's number in the old file.
    pub old: Option<u32>,
    /// The line's number in the new file.
    pub new: Option<u32>,
    /// The text (lossily decoded; without the line ending).
    pub text: String,
    /// Byte ranges of `text` that differ from the paired line (word diff).
    pub highlights: Vec<(u32, u32)>,
}

/// One hunk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffHunk {
    /// The `@@ -a,b +c,d @@` header.
    pub header: String,
    /// Its lines.
    pub lines: Vec<DiffLine>,
}

/// A file's diff for display.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileDiff {
    /// The repository path.
    pub path: Vec<u8>,
    /// The old side's object id (for hunk staging's check that nothing changed).
    pub old_id: Option<String>,
    /// The new side's content id.
    pub new_id: Option<String>,
    /// Binary content: no lines.
    pub binary: bool,
    /// Too large to show.
    pub too_large: bool,
    /// The hunks.
    pub hunks: Vec<DiffHunk>,
}

/// A branch or tag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BranchInfo {
    /// The short name.
    pub name: String,
    /// The full ref name.
    pub full_name: String,
    /// The commit.
    pub id: String,
    /// Whether it is checked out.
    pub current: bool,
    /// Its upstream, if any.
    pub upstream: Option<String>,
}

/// How to resolve a conflicted file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Resolution {
    /// Take our version.
    Ours,
    /// Take their version.
    Theirs,
    /// Take this content (edited, or chosen hunk by hunk).
    Content(Vec<u8>),
    /// Take the file as it is in the working tree (`git add`).
    Worktree,
    /// Delete the file (`git rm`).
    Delete,
}

/// How much `Reset` changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResetMode {
    /// Only the branch (`--soft`): changes stay staged.
    Soft,
    /// The branch and the index (`--mixed`): changes stay in the files.
    Mixed,
    /// Everything (`--hard`): local changes are lost.
    Hard,
}

/// One ref to push.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushSpec {
    /// The local branch, tag or commit; `None` deletes `destination` on the remote.
    pub source: Option<String>,
    /// The remote ref (`refs/heads/topic`, `refs/tags/v1`; a short branch name means
    /// `refs/heads/<name>`).
    pub destination: String,
    /// Allow a non-fast-forward update.
    pub force: bool,
}

/// A stash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StashEntry {
    /// Its position (`stash@{index}`).
    pub index: usize,
    /// Its commit.
    pub id: String,
    /// Its message (`WIP on main: …`).
    pub message: String,
}

/// A reflog entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReflogEntry {
    /// The value before.
    pub old: String,
    /// The value after.
    pub new: String,
    /// Who.
    pub who: String,
    /// When, seconds since the epoch.
    pub time: i64,
    /// What happened (`commit: …`, `reset: moving to …`).
    pub message: String,
}

/// One row of the history graph: the commit's lane and the lines around it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraphRow {
    /// The commit's lane.
    pub lane: u16,
    /// Lanes coming in from the row above that end at this commit.
    pub incoming: Vec<u16>,
    /// Lanes passing by this row.
    pub passing: Vec<u16>,
    /// The lane each parent continues in.
    pub parents: Vec<u16>,
    /// How many lanes the row spans.
    pub width: u16,
}

/// A commit of a history page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// The commit.
    pub commit: CommitSummary,
    /// Its graph row.
    pub graph: GraphRow,
    /// Branches and tags pointing at it (short names).
    pub refs: Vec<String>,
}

/// A file changed by a commit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangedFile {
    /// The path (the new path of a rename).
    pub path: Vec<u8>,
    /// The old path of a rename or copy.
    pub old_path: Option<Vec<u8>>,
    /// What happened.
    pub kind: ChangeKind,
    /// Lines added (`None` for binary files).
    pub additions: Option<u32>,
    /// Lines removed.
    pub deletions: Option<u32>,
}

/// A commit in full.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitDetail {
    /// The summary fields.
    pub commit: CommitSummary,
    /// The committer, if not the author.
    pub committer: Option<String>,
    /// The committer time, seconds since the epoch.
    pub commit_time: i64,
    /// The whole message.
    pub message: String,
    /// Changed files against the first parent (none for a merge).
    pub files: Vec<ChangedFile>,
}

/// A run of lines last changed by one commit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlameRun {
    /// The commit.
    pub commit: String,
    /// Its author.
    pub author: String,
    /// Its author time.
    pub time: i64,
    /// Its summary.
    pub summary: String,
    /// The first line of the run in the file (1-based).
    pub start: u32,
    /// How many lines.
    pub lines: u32,
    /// The path in that commit (differs after a rename).
    pub path: Vec<u8>,
}

/// A hunk of a conflicted file's merge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConflictHunk {
    /// Merged cleanly.
    Clean(String),
    /// Both sides changed this part.
    Conflict {
        /// The merge base's text.
        base: String,
        /// Ours.
        ours: String,
        /// Theirs.
        theirs: String,
    },
}

/// A conflicted file, for the resolution view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConflictInfo {
    /// The path.
    pub path: Vec<u8>,
    /// Our side's label (the branch).
    pub ours_label: String,
    /// Their side's label.
    pub theirs_label: String,
    /// Whether each side has the file (base, ours, theirs).
    pub present: [bool; 3],
    /// The hunks of the three-way merge; empty for binary files or a side deleted.
    pub hunks: Vec<ConflictHunk>,
    /// Whether the file is binary (resolve by choosing a side).
    pub binary: bool,
    /// The working-tree file now (with markers unless already edited).
    pub worktree: Option<Vec<u8>>,
}

/// What a merge, revert or pull did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MergeResult {
    /// Nothing to do.
    UpToDate,
    /// The branch moved forward.
    FastForward {
        /// The new tip.
        to: String,
    },
    /// A new commit.
    Committed {
        /// Its id.
        id: String,
    },
    /// Stopped with conflicts in these files; resolve them, then continue or abort.
    Conflicted {
        /// The conflicted paths.
        paths: Vec<Vec<u8>>,
    },
}

/// A repository in the list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoSummary {
    /// The local name.
    pub name: String,
    /// The `origin` URL.
    pub url: Option<String>,
    /// The current branch (short name), or `None` when detached.
    pub branch: Option<String>,
    /// The HEAD commit.
    pub head: Option<String>,
    /// Bytes stored.
    pub size: u64,
}

/// One file of the working tree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// The repository path.
    pub path: Vec<u8>,
    /// `file`, `executable`, `symlink` or `directory`.
    pub kind: String,
}

/// One commit of a log page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitSummary {
    /// The commit id.
    pub id: String,
    /// Parent ids.
    pub parents: Vec<String>,
    /// Author name.
    pub author: String,
    /// Author email.
    pub email: String,
    /// Author time, seconds since the epoch.
    pub time: i64,
    /// The first line of the message.
    pub summary: String,
}

/// What a push did to one ref, in words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefOutcome {
    /// The remote ref.
    pub name: String,
    /// Whether it was updated (or already up to date).
    pub ok: bool,
    /// A sentence for the user.
    pub message: String,
}

/// The final answer to a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reply {
    /// The engine is alive.
    Pong {
        /// The engine's version.
        version: String,
    },
    /// The id of the hashed object.
    Hashed {
        /// Hexadecimal object id.
        id: String,
    },
    /// The repositories.
    Repos(Vec<RepoSummary>),
    /// Storage used and quota, in bytes.
    Storage {
        /// Used.
        usage: u64,
        /// Quota.
        quota: u64,
    },
    /// A repository's summary.
    Repo(RepoSummary),
    /// The working tree's files.
    Files(Vec<FileEntry>),
    /// A file's bytes.
    File(Vec<u8>),
    /// A page of history.
    Commits(Vec<CommitSummary>),
    /// What a fetch changed, in words.
    Fetched {
        /// One line per ref changed.
        updates: Vec<String>,
    },
    /// What a push did.
    Pushed {
        /// Per ref.
        refs: Vec<RefOutcome>,
    },
    /// The status.
    Status(StatusSummary),
    /// A file's diff.
    Diff(FileDiff),
    /// A new commit.
    Committed {
        /// Its id.
        id: String,
    },
    /// Branches, remote-tracking branches and tags.
    Branches {
        /// Local branches.
        local: Vec<BranchInfo>,
        /// Remote-tracking branches.
        remote: Vec<BranchInfo>,
        /// Tags.
        tags: Vec<BranchInfo>,
    },
    /// Ahead/behind.
    Sync {
        /// Commits ahead.
        ahead: usize,
        /// Commits behind.
        behind: usize,
        /// Whether there is an upstream.
        has_upstream: bool,
    },
    /// A remote answered.
    RemoteOk {
        /// How many refs it has.
        refs: usize,
        /// Its default branch.
        head: Option<String>,
    },
    /// What a pull fetched and merged.
    Pulled {
        /// The remote-tracking refs that changed, in words.
        updates: Vec<String>,
        /// What the merge did.
        result: MergeResult,
    },
    /// A page of history.
    History(Vec<HistoryEntry>),
    /// Stashes, newest first.
    Stashes(Vec<StashEntry>),
    /// A reflog, newest first.
    Reflog(Vec<ReflogEntry>),
    /// A commit.
    Commit(CommitDetail),
    /// Blame runs, in file order, and the file's lines.
    Blame {
        /// The runs.
        runs: Vec<BlameRun>,
        /// The file's lines (lossily decoded, without newlines).
        lines: Vec<String>,
    },
    /// A conflicted file.
    Conflict(ConflictInfo),
    /// What a merge, revert or pull did.
    Merged(MergeResult),
    /// Done, nothing to return.
    Done,
}

/// An error in words for the user, with detail for the curious.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngineError {
    /// One sentence saying what went wrong.
    pub title: String,
    /// The underlying cause.
    pub detail: String,
}

impl EngineError {
    /// An error with a title and the `Display` chain of `err` as detail.
    pub fn new(title: impl Into<String>, err: &dyn std::error::Error) -> Self {
        let mut detail = err.to_string();
        let mut source = err.source();
        while let Some(inner) = source {
            detail.push_str(": ");
            detail.push_str(&inner.to_string());
            source = inner.source();
        }
        EngineError {
            title: title.into(),
            detail,
        }
    }
}

/// Progress of a long request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Progress {
    /// A phase with a count (`Receiving objects`, 512, 2048) and bytes when known.
    Phase {
        /// The phase's name.
        name: String,
        /// Done so far.
        done: u64,
        /// In total (0 when unknown).
        total: u64,
        /// Bytes so far (0 when not meaningful).
        bytes: u64,
    },
    /// A message from the server, sanitized.
    Message(String),
}

/// Something the engine tells the page about a request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// The request this belongs to (0 for engine-wide events).
    pub id: u64,
    /// What happened.
    pub kind: EventKind,
}

/// What happened.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum EventKind {
    /// Progress of the request.
    Progress(Progress),
    /// The request finished.
    Done(Result<Reply, EngineError>),
    /// The engine crashed (a panic); it is being restarted.
    Crashed(String),
    /// The worker is ready for requests (sent once after it starts).
    Ready,
    /// An operation waits for `repo`'s lock, which another tab (or another operation) holds
    /// (`waiting`), or got it after waiting (not `waiting`): `RELIABILITY.md` S10.
    Busy {
        /// The repository.
        repo: String,
        /// Whether the wait began (`true`) or ended (`false`).
        waiting: bool,
    },
}

/// Encode a message for `postMessage`.
pub fn encode<T: Serialize>(message: &T) -> Vec<u8> {
    bincode::serialize(message).expect("engine messages always serialize")
}

/// Decode a message from `postMessage`.
pub fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, String> {
    bincode::deserialize(bytes).map_err(|e| e.to_string())
}
