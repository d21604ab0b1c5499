//! `tabgit`: git's commands on tabgit's core, reading and writing a real `.git` directory, so
//! that native git can check everything tabgit does and benchmarks compare like with like.
//!
//! Output formats follow git's byte for byte where git's output is machine-readable.
#![forbid(unsafe_code)]

mod commands;
mod network;
mod pretty;
mod repo;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// git in a browser tab — the native command line.
#[derive(Parser)]
#[command(name = "tabgit", version, about, long_about = None)]
struct Cli {
    /// Run as if started in this directory.
    #[arg(short = 'C', global = true, value_name = "path")]
    change_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create an empty repository.
    Init(commands::init::Args),
    /// Compute an object id, optionally storing the object.
    HashObject(commands::hash_object::Args),
    /// Show an object's type, size or content.
    CatFile(commands::cat_file::Args),
    /// List the entries of a tree.
    LsTree(commands::ls_tree::Args),
    /// Build an index for a pack file.
    IndexPack(commands::index_pack::Args),
    /// Check packs and describe their objects.
    VerifyPack(commands::verify_pack::Args),
    /// Resolve revisions to object ids.
    RevParse(commands::rev_parse::Args),
    /// List commits.
    RevList(commands::rev_list::Args),
    /// Show commit history.
    Log(commands::log::Args),
    /// List refs.
    ShowRef(commands::show_ref::Args),
    /// Change a ref safely.
    UpdateRef(commands::update_ref::Args),
    /// List the index.
    LsFiles(commands::ls_files::Args),
    /// Read a tree into the index.
    ReadTree(commands::read_tree::Args),
    /// Write files from the index into the working tree.
    CheckoutIndex(commands::checkout_index::Args),
    /// Store the index as a tree.
    WriteTree(commands::write_tree::Args),
    /// Create a commit object.
    CommitTree(commands::commit_tree::Args),
    /// Copy a repository over HTTPS.
    Clone(commands::clone::Args),
    /// Download objects and refs from a remote.
    Fetch(commands::fetch::Args),
    /// Fetch and fast-forward the current branch.
    Pull(commands::fetch::PullArgs),
    /// Update remote refs and send what they need.
    Push(commands::push::Args),
    /// List a remote's refs.
    LsRemote(commands::ls_remote::Args),
    /// Manage remotes.
    Remote(commands::remote::Args),
    /// Show the working tree status.
    Status(commands::status::Args),
    /// Stage file contents.
    Add(commands::add::Args),
    /// Remove files from the index and the working tree.
    Rm(commands::rm::Args),
    /// Move or rename files.
    Mv(commands::mv::Args),
    /// Restore working-tree files, or unstage.
    Restore(commands::restore::Args),
    /// Record changes as a commit.
    Commit(commands::commit::Args),
    /// List, create, delete and rename branches.
    Branch(commands::branch::Args),
    /// Create, list and delete tags.
    Tag(commands::tag::Args),
    /// Switch branches.
    Switch(commands::switch::Args),
    /// Switch branches or restore files.
    Checkout(commands::checkout::Args),
    /// Reset the current branch.
    Reset(commands::reset::Args),
    /// Remove untracked files.
    Clean(commands::clean::Args),
    /// Put local changes aside.
    Stash(commands::stash::Args),
    /// Join two histories together.
    Merge(commands::merge::Args),
    /// Apply the changes introduced by an existing commit.
    CherryPick(commands::cherry_pick::Args),
    /// Revert an existing commit.
    Revert(commands::cherry_pick::Args),
    /// Show what revision and author last modified each line of a file.
    Blame(commands::blame::Args),
    /// Show a commit with its changes.
    Show(commands::show::Args),
    /// Show changes between the working tree, the index and commits.
    Diff(commands::diff::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(dir) = &cli.change_dir {
        if let Err(err) = std::env::set_current_dir(dir) {
            eprintln!("fatal: cannot change to '{}': {err}", dir.display());
            return ExitCode::from(128);
        }
    }
    let res = match cli.command {
        Command::Init(args) => commands::init::run(&args),
        Command::HashObject(args) => commands::hash_object::run(&args),
        Command::CatFile(args) => commands::cat_file::run(&args),
        Command::LsTree(args) => commands::ls_tree::run(&args),
        Command::IndexPack(args) => commands::index_pack::run(&args),
        Command::VerifyPack(args) => commands::verify_pack::run(&args),
        Command::RevParse(args) => commands::rev_parse::run(&args),
        Command::RevList(args) => commands::rev_list::run(&args),
        Command::Log(args) => commands::log::run(&args),
        Command::ShowRef(args) => commands::show_ref::run(&args),
        Command::UpdateRef(args) => commands::update_ref::run(&args),
        Command::LsFiles(args) => commands::ls_files::run(&args),
        Command::ReadTree(args) => commands::read_tree::run(&args),
        Command::CheckoutIndex(args) => commands::checkout_index::run(&args),
        Command::WriteTree(args) => commands::write_tree::run(&args),
        Command::CommitTree(args) => commands::commit_tree::run(&args),
        Command::Clone(args) => commands::clone::run(&args),
        Command::Fetch(args) => commands::fetch::run(&args),
        Command::Pull(args) => commands::fetch::run_pull(&args),
        Command::Push(args) => commands::push::run(&args),
        Command::LsRemote(args) => commands::ls_remote::run(&args),
        Command::Remote(args) => commands::remote::run(&args),
        Command::Status(args) => commands::status::run(&args),
        Command::Add(args) => commands::add::run(&args),
        Command::Rm(args) => commands::rm::run(&args),
        Command::Mv(args) => commands::mv::run(&args),
        Command::Restore(args) => commands::restore::run(&args),
        Command::Commit(args) => commands::commit::run(&args),
        Command::Branch(args) => commands::branch::run(&args),
        Command::Tag(args) => commands::tag::run(&args),
        Command::Switch(args) => commands::switch::run(&args),
        Command::Checkout(args) => commands::checkout::run(&args),
        Command::Reset(args) => commands::reset::run(&args),
        Command::Clean(args) => commands::clean::run(&args),
        Command::Stash(args) => commands::stash::run(&args),
        Command::Merge(args) => commands::merge::run(&args),
        Command::CherryPick(args) => {
            commands::cherry_pick::run(&args, commands::cherry_pick::Action::CherryPick)
        }
        Command::Revert(args) => {
            commands::cherry_pick::run(&args, commands::cherry_pick::Action::Revert)
        }
        Command::Blame(args) => commands::blame::run(&args),
        Command::Show(args) => commands::show::run(&args),
        Command::Diff(args) => commands::diff::run(&args),
    };
    match res {
        Ok(code) => code,
        Err(err) => {
            eprintln!("fatal: {err:#}");
            ExitCode::from(128)
        }
    }
}
