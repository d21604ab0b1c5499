//! History for the UI and the CLI, against native git on the fixtures: path-limited logs with
//! git's simplification, `--follow`, filters, paging, graph lanes, blame and diffs.

use std::collections::HashMap;
use std::path::Path;

use tabgit_hash::ObjectId;
use tabgit_repo::log::graph::Layout;
use tabgit_repo::log::{self, Log, Options, Order, Pattern};
use tabgit_repo::{blame, diff, show, FsFiles, FsWorktree, Repository};
use tabgit_testtools::{fixture, git, git_text, tempdir, Result, TempDir};

/// A clone of fixture `name` with a working tree.
fn clone(name: &str) -> Result<(TempDir, Repository<FsFiles>)> {
    let src = fixture(name)?;
    let tmp = tempdir()?;
    git(
        tmp.path(),
        &["clone", "-q", src.to_str().ok_or("utf-8")?, "work"],
    )?;
    let work = tmp.path().join("work");
    let repo = Repository::open(
        FsFiles::new(work.join(".git")),
        Some(Box::new(FsWorktree::new(&work))),
    )?;
    Ok((tmp, repo))
}

fn work(tmp: &TempDir) -> std::path::PathBuf {
    tmp.path().join("work")
}

fn ids(text: &str) -> Result<Vec<ObjectId>> {
    text.lines()
        .map(|line| Ok(ObjectId::from_hex(line.as_bytes())?))
        .collect()
}

fn head_options(repo: &Repository<FsFiles>) -> Result<Options> {
    Ok(Options {
        include: vec![repo.rev_parse(b"HEAD")?],
        ..Options::default()
    })
}

fn git_log(dir: &Path, args: &[&str]) -> Result<Vec<ObjectId>> {
    let mut all = vec!["log", "--format=%H"];
    all.extend_from_slice(args);
    ids(&git_text(dir, &all)?)
}

#[test]
fn path_limited_logs_equal_git_log() -> Result {
    for name in ["demo", "medium"] {
        let (tmp, repo) = clone(name)?;
        let dir = work(&tmp);
        let mut paths: Vec<String> = git_text(&dir, &["ls-files"])?
            .lines()
            .step_by(97)
            .take(10)
            .map(str::to_owned)
            .collect();
        paths.extend(
            git_text(&dir, &["ls-tree", "-d", "--name-only", "HEAD"])?
                .lines()
                .take(3)
                .map(str::to_owned),
        );
        for path in &paths {
            let expected = git_log(&dir, &["--", path])?;
            let options = Options {
                paths: vec![path.as_bytes().to_vec()],
                ..head_options(&repo)?
            };
            assert_eq!(
                log::log(&repo, options.clone())?,
                expected,
                "{name}: log -- {path}"
            );
            let expected = git_log(&dir, &["--first-parent", "--", path])?;
            let options = Options {
                first_parent: true,
                ..options
            };
            assert_eq!(
                log::log(&repo, options)?,
                expected,
                "{name}: log --first-parent -- {path}"
            );
        }
    }
    Ok(())
}

#[test]
fn follow_crosses_renames_like_git() -> Result {
    let (tmp, repo) = clone("demo")?;
    let dir = work(&tmp);
    let expected = git_log(&dir, &["--follow", "--", "src/helpers.rs"])?;
    assert_eq!(expected.len(), 2, "the demo renamed util.rs to helpers.rs");
    let options = Options {
        paths: vec![b"src/helpers.rs".to_vec()],
        follow: true,
        ..head_options(&repo)?
    };
    let mut walk = Log::new(&repo, options)?;
    let found: Vec<ObjectId> = walk.by_ref().collect::<std::result::Result<_, _>>()?;
    assert_eq!(found, expected);
    assert_eq!(
        walk.followed_path(),
        Some(&b"src/util.rs"[..]),
        "the walk followed the old name"
    );

    let (tmp, repo) = clone("medium")?;
    let dir = work(&tmp);
    let renamed = git_text(
        &dir,
        &[
            "log",
            "--diff-filter=R",
            "--format=",
            "--name-only",
            "-n",
            "40",
        ],
    )?;
    let mut checked = 0;
    for path in renamed.lines().filter(|p| dir.join(p).is_file()).take(6) {
        let expected = git_log(&dir, &["--follow", "--", path])?;
        let options = Options {
            paths: vec![path.as_bytes().to_vec()],
            follow: true,
            ..head_options(&repo)?
        };
        assert_eq!(
            log::log(&repo, options)?,
            expected,
            "log --follow -- {path}"
        );
        checked += 1;
    }
    assert!(checked > 2, "medium has renamed files to follow");
    Ok(())
}

#[test]
fn author_and_grep_filters_equal_git() -> Result {
    let (tmp, repo) = clone("demo")?;
    let dir = work(&tmp);
    let cases: [(&[&str], Options); 4] = [
        (
            &["--author=Alice"],
            Options {
                authors: vec![Pattern::new(b"Alice", false)],
                ..head_options(&repo)?
            },
        ),
        (
            &["--grep=^Add"],
            Options {
                greps: vec![Pattern::new(b"^Add", false)],
                ..head_options(&repo)?
            },
        ),
        (
            &["-i", "--grep=readme", "--grep=GUIDE"],
            Options {
                greps: vec![Pattern::new(b"readme", true), Pattern::new(b"GUIDE", true)],
                ..head_options(&repo)?
            },
        ),
        (
            &["--author=example.org", "--grep=e"],
            Options {
                authors: vec![Pattern::new(b"example.org", false)],
                greps: vec![Pattern::new(b"e", false)],
                ..head_options(&repo)?
            },
        ),
    ];
    for (args, options) in cases {
        assert_eq!(
            log::log(&repo, options)?,
            git_log(&dir, args)?,
            "log {args:?}"
        );
    }
    Ok(())
}

#[test]
fn pages_continue_where_the_last_one_ended() -> Result {
    let (tmp, repo) = clone("medium")?;
    let dir = work(&tmp);
    let all = git_log(&dir, &[])?;
    let mut walk = Log::new(&repo, head_options(&repo)?)?;
    let mut paged = Vec::new();
    loop {
        let page = walk.page(250)?;
        if page.is_empty() {
            break;
        }
        paged.extend(page);
    }
    assert_eq!(paged, all, "pages joined are the whole date-ordered log");
    let page = log::page(&repo, head_options(&repo)?, 1000, 50)?;
    assert_eq!(page, all[1000..1050], "a page by offset");
    let topo = log::log(
        &repo,
        Options {
            order: Order::Topo,
            ..head_options(&repo)?
        },
    )?;
    assert_eq!(topo, git_log(&dir, &["--topo-order"])?);
    Ok(())
}

/// Every edge to a parent ends where the parent's row expects it.
fn check_lanes(commits: &[(ObjectId, Vec<ObjectId>)]) {
    let mut layout = Layout::default();
    let mut expected_lane: HashMap<ObjectId, Vec<usize>> = HashMap::new();
    let mut max_width = 0;
    for (commit_id, parents) in commits {
        let row = layout.next_row(*commit_id, parents);
        if let Some(lanes) = expected_lane.remove(commit_id) {
            for lane in lanes {
                assert!(
                    row.lane == lane || row.incoming.contains(&lane),
                    "a line drawn to {commit_id} in lane {lane} ends at its row"
                );
            }
            assert!(
                row.incoming.contains(&row.lane),
                "an expected commit sits on an incoming lane"
            );
        } else {
            assert!(row.incoming.is_empty(), "nothing was drawn to a branch tip");
        }
        assert!(
            !row.passing.contains(&row.lane),
            "no line passes through the dot"
        );
        assert_eq!(row.parents.len(), parents.len(), "one edge per parent");
        for (lane, parent) in &row.parents {
            assert!(*lane < row.width.max(lane + 1) + 1);
            expected_lane.entry(*parent).or_default().push(*lane);
        }
        max_width = max_width.max(row.width);
    }
    assert!(max_width >= 2, "the history branches");
}

#[test]
fn graph_lanes_are_consistent() -> Result {
    for name in ["demo", "medium"] {
        let (_tmp, repo) = clone(name)?;
        for order in [Order::Date, Order::Topo] {
            let mut walk = Log::new(
                &repo,
                Options {
                    order,
                    ..head_options(&repo)?
                },
            )?;
            let mut rows = Vec::new();
            while let Some(commit_id) = walk.next_commit()? {
                let parents = walk.parents_of(&commit_id).unwrap_or_default().to_vec();
                rows.push((commit_id, parents));
            }
            check_lanes(&rows);
        }
    }
    Ok(())
}

#[test]
fn graph_lanes_of_a_merge() {
    let id = |n: u8| ObjectId::from_bytes([n; 20]);
    let mut layout = Layout::default();
    // merge(4) of 3 and 2, both children of 1.
    let row = layout.next_row(id(4), &[id(3), id(2)]);
    assert_eq!(
        (row.lane, row.parents.clone()),
        (0, vec![(0, id(3)), (1, id(2))])
    );
    let row = layout.next_row(id(3), &[id(1)]);
    assert_eq!((row.lane, row.passing.clone()), (0, vec![1]));
    let row = layout.next_row(id(2), &[id(1)]);
    assert_eq!(
        (row.lane, row.parents.clone()),
        (1, vec![(0, id(1))]),
        "joins lane 0"
    );
    let row = layout.next_row(id(1), &[]);
    assert_eq!((row.lane, row.incoming.clone()), (0, vec![0]));
    assert!(layout.lanes().is_empty(), "every line ended");
}

/// `git blame --porcelain` as `(commit, original line, final line)` per line.
fn git_blame(dir: &Path, path: &str) -> Result<Vec<(ObjectId, u32, u32)>> {
    let out = git_text(dir, &["blame", "--porcelain", path])?;
    let mut lines = Vec::new();
    for line in out.lines() {
        let mut fields = line.split(' ');
        let (Some(hex), Some(orig), Some(fin)) = (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        if hex.len() == 40 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            lines.push((
                ObjectId::from_hex(hex.as_bytes())?,
                orig.parse()?,
                fin.parse()?,
            ));
        }
    }
    Ok(lines)
}

#[test]
fn blame_maps_lines_like_git() -> Result {
    let (tmp, repo) = clone("demo")?;
    let dir = work(&tmp);
    let head = repo.rev_parse(b"HEAD")?;
    for path in ["README.md", "src/helpers.rs", "src/lib.rs", "docs/guide.md"] {
        let outcome = blame::blame(&repo, head, path.as_bytes(), &blame::Options::default())?;
        assert_eq!(
            outcome.line_origins(),
            git_blame(&dir, path)?,
            "blame {path}"
        );
    }
    let outcome = blame::blame(&repo, head, b"src/helpers.rs", &blame::Options::default())?;
    assert!(
        outcome.entries.iter().any(|e| e.path == b"src/util.rs"),
        "lines older than the rename carry the old path"
    );

    // A long file with a long history.
    let (tmp, repo) = clone("medium")?;
    let dir = work(&tmp);
    let head = repo.rev_parse(b"HEAD")?;
    let busiest = git_text(&dir, &["log", "--format=", "--name-only", "-n", "600"])?;
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for path in busiest.lines().filter(|p| !p.is_empty()) {
        *counts.entry(path).or_default() += 1;
    }
    let mut candidates: Vec<(&str, usize)> = counts
        .into_iter()
        .filter(|(p, _)| dir.join(p).is_file())
        .collect();
    candidates.sort_by_key(|(p, n)| (std::cmp::Reverse(*n), *p));
    let mut longest = 0;
    for (path, _) in candidates.iter().take(4) {
        let outcome = blame::blame(&repo, head, path.as_bytes(), &blame::Options::default())?;
        let expected = git_blame(&dir, path)?;
        longest = longest.max(expected.len());
        assert_eq!(outcome.line_origins(), expected, "blame {path}");
    }
    let csv = "web/taibair1957.csv";
    if dir.join(csv).is_file() {
        let outcome = blame::blame(&repo, head, csv.as_bytes(), &blame::Options::default())?;
        let expected = git_blame(&dir, csv)?;
        longest = longest.max(expected.len());
        assert_eq!(outcome.line_origins(), expected, "blame {csv}");
    }
    assert!(longest > 1000, "a long file was blamed ({longest} lines)");
    Ok(())
}

#[test]
fn diffs_equal_git_diff() -> Result {
    let (tmp, repo) = clone("demo")?;
    let dir = work(&tmp);
    let tree = |rev: &str| repo.rev_parse(format!("{rev}^{{tree}}").as_bytes());
    let trees = diff::diff(
        &repo,
        diff::Target::Trees(Some(tree("HEAD~8")?), tree("HEAD")?),
        &diff::Options::default(),
    )?;
    assert_eq!(
        String::from_utf8(trees.patch(&repo, 7, tabgit_diff::lines::Algorithm::Myers)?)?,
        String::from_utf8(git(&dir, &["diff", "HEAD~8", "HEAD"])?)?
    );
    assert_eq!(
        String::from_utf8(trees.name_status())?,
        String::from_utf8(git(&dir, &["diff", "--name-status", "HEAD~8", "HEAD"])?)?
    );

    // The working tree against the index, and the index against HEAD.
    std::fs::write(dir.join("README.md"), "A new README\n")?;
    std::fs::remove_file(dir.join("docs/guide.md"))?;
    std::fs::write(dir.join("VERSION"), "9.9.9\n")?;
    git(&dir, &["add", "VERSION"])?;
    let worktree = diff::diff(
        &repo,
        diff::Target::WorktreeToIndex,
        &diff::Options::default(),
    )?;
    let patch = worktree.patch(&repo, 7, tabgit_diff::lines::Algorithm::Myers)?;
    assert_eq!(
        String::from_utf8(patch.clone())?,
        String::from_utf8(git(&dir, &["diff"])?)?
    );
    let cached = diff::diff(
        &repo,
        diff::Target::IndexToTree(None),
        &diff::Options::default(),
    )?;
    assert_eq!(
        String::from_utf8(cached.patch(&repo, 7, tabgit_diff::lines::Algorithm::Myers)?)?,
        String::from_utf8(git(&dir, &["diff", "--cached"])?)?
    );
    let mut stat = Vec::new();
    worktree.stat(&repo)?.write_numstat(&mut stat);
    assert_eq!(
        String::from_utf8(stat)?,
        git_text(&dir, &["diff", "--numstat"])? + "\n"
    );

    // Word highlights mark only the words that changed.
    let view = tabgit_repo::diff::file_view(
        worktree.changes[0].clone(),
        b"let total = price * count;\n",
        b"let total = price * amount;\n",
        3,
    );
    let removed = &view.hunks[0].lines[0];
    assert_eq!(&removed.text[removed.highlights[0].clone()], b"count;");
    Ok(())
}

#[test]
fn show_gives_a_commit_and_its_changes() -> Result {
    let (tmp, repo) = clone("demo")?;
    let dir = work(&tmp);
    let commit_id = repo.rev_parse(b"HEAD~1")?;
    let shown = show::show(&repo, &commit_id, &diff::Options::default())?;
    let diff = shown.diff.ok_or("a non-merge commit has a diff")?;
    assert_eq!(
        String::from_utf8(diff.patch(&repo, 7, tabgit_diff::lines::Algorithm::Myers)?)?,
        String::from_utf8(git(&dir, &["diff", "HEAD~2", "HEAD~1"])?)?
    );
    assert_eq!(
        shown.summary.subject,
        git_text(&dir, &["log", "-1", "--format=%s", "HEAD~1"])?.as_bytes()
    );
    let merge_id =
        ObjectId::from_hex(git_text(&dir, &["log", "--merges", "-1", "--format=%H"])?.as_bytes())?;
    let merge = show::show(&repo, &merge_id, &diff::Options::default())?;
    assert_eq!(merge.summary.parents.len(), 2);
    assert!(merge.diff.is_none(), "no combined diff for merges");
    Ok(())
}
