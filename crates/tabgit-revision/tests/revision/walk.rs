//! `rev-list` order equals git's.
use std::collections::HashSet;

use tabgit_revision::walk::{rev_list, Options, Order};
use tabgit_revision::Graph;
use tabgit_store::files::FsFiles;
use tabgit_store::odb::Odb;
use tabgit_testtools::{fixture, git_text, Result};

use crate::{ids, lines_to_ids};

fn check(name: &str, tips: &[&str], hidden: &[&str], order: Order, first_parent: bool) -> Result {
    let git_dir = fixture(name)?;
    let odb = Odb::open(FsFiles::new(&git_dir))?;
    let mut graph = Graph::new(&odb, HashSet::new());
    let options = Options {
        order,
        first_parent,
        limit: None,
    };
    let ours = rev_list(
        &mut graph,
        &ids(&git_dir, tips)?,
        &ids(&git_dir, hidden)?,
        &options,
    )?;
    let mut args = vec!["rev-list".to_owned()];
    if order == Order::Topo {
        args.push("--topo-order".into());
    }
    if first_parent {
        args.push("--first-parent".into());
    }
    args.extend(tips.iter().map(|t| (*t).to_owned()));
    args.extend(hidden.iter().map(|h| format!("^{h}")));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let theirs = lines_to_ids(&git_text(&git_dir, &args)?)?;
    assert_eq!(ours, theirs, "{args:?} on {name}");
    Ok(())
}

#[test]
fn date_order_matches_git() -> Result {
    check("demo", &["main"], &[], Order::Date, false)?;
    check(
        "demo",
        &["main", "topic", "conflict-a", "conflict-b"],
        &[],
        Order::Date,
        false,
    )?;
    check("demo", &["main"], &["feature"], Order::Date, false)?;
    check("demo", &["conflict-a"], &["conflict-b"], Order::Date, false)?;
    check("odd", &["main", "side", "octopus"], &[], Order::Date, false)?;
    Ok(())
}

#[test]
fn topo_order_matches_git() -> Result {
    check(
        "demo",
        &["main", "topic", "conflict-a"],
        &[],
        Order::Topo,
        false,
    )?;
    check("odd", &["octopus", "side"], &[], Order::Topo, false)?;
    check("medium", &["main", "topic/wip"], &[], Order::Topo, false)?;
    Ok(())
}

#[test]
fn first_parent_matches_git() -> Result {
    check("demo", &["main"], &[], Order::Date, true)?;
    check("medium", &["main"], &["v0.5.0"], Order::Date, true)?;
    Ok(())
}

#[test]
fn medium_history_matches_git() -> Result {
    check("medium", &["main", "topic/wip"], &[], Order::Date, false)?;
    check("medium", &["main"], &["v0.3.0"], Order::Date, false)?;
    Ok(())
}
