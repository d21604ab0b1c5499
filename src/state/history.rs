//! The history view: filters as an engine request, the paged list, which rows of a long list
//! are drawn (only those in view, so 20,000 commits cost what 40 do), the graph of each row as
//! line segments, and dates in words.

use tabgit_engine::protocol::{GraphRow, HistoryEntry, Op};

/// Commits per history request.
pub const PAGE: usize = 200;

/// The height of one history row in CSS pixels (`.history-row` in the stylesheet).
pub const ROW_HEIGHT: f64 = 36.0;

/// The width of one graph lane in CSS pixels.
pub const LANE_WIDTH: f64 = 14.0;

/// Lanes drawn at most; a wider graph is cut at the right (the commit's dot stays in view).
pub const MAX_LANES: u16 = 12;

/// Rows drawn above and below the visible ones, so fast scrolling shows no gap.
pub const OVERSCAN: usize = 12;

/// What the history shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filters {
    /// A branch, tag or commit to start from (`HEAD` when empty).
    pub branch: String,
    /// Every branch and tag (`--all`) instead.
    pub all: bool,
    /// Only commits touching this path, following renames.
    pub path: Option<Vec<u8>>,
    /// Only commits whose author contains this text.
    pub author: String,
    /// Only commits whose message contains this text.
    pub text: String,
}

fn non_empty(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// Conversion
impl Filters {
    /// The request for `count` commits after the first `skip`.
    pub fn op(&self, repo: &str, skip: usize, count: usize) -> Op {
        Op::History {
            repo: repo.to_owned(),
            start: if self.all {
                None
            } else {
                non_empty(&self.branch)
            },
            all: self.all,
            path: self.path.clone().filter(|p| !p.is_empty()),
            author: non_empty(&self.author),
            text: non_empty(&self.text),
            skip,
            count,
        }
    }

    /// Whether anything narrows the list (for "no commits match" against "no commits yet").
    pub fn narrowed(&self) -> bool {
        self.path.is_some() || non_empty(&self.author).is_some() || non_empty(&self.text).is_some()
    }
}

/// The commits loaded so far.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pages {
    /// The commits, in order.
    pub entries: Vec<HistoryEntry>,
    /// The walk has ended (a page came back short).
    pub done: bool,
    /// A page is being fetched.
    pub loading: bool,
}

/// Mutation
impl Pages {
    /// The `skip` of the next page, if one should be fetched now.
    pub fn next_skip(&self) -> Option<usize> {
        (!self.done && !self.loading).then_some(self.entries.len())
    }

    /// Add a page fetched with `skip` (a page for an older list is ignored).
    pub fn add(&mut self, skip: usize, page: Vec<HistoryEntry>) {
        self.loading = false;
        if skip != self.entries.len() {
            return;
        }
        self.done = page.len() < PAGE;
        self.entries.extend(page);
    }

    /// The index of commit `id`, if loaded.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.entries.iter().position(|e| e.commit.id == id)
    }
}

/// Which rows to draw: `start..end` of `len` for a list scrolled to `scroll_top` in a viewport
/// `viewport` pixels high.
pub fn window(scroll_top: f64, viewport: f64, len: usize) -> (usize, usize) {
    let first = (scroll_top.max(0.0) / ROW_HEIGHT).floor() as usize;
    let shown = (viewport.max(ROW_HEIGHT) / ROW_HEIGHT).ceil() as usize + 1;
    let start = first.saturating_sub(OVERSCAN).min(len);
    let end = (first + shown + OVERSCAN).min(len);
    (start, end)
}

/// Whether the rows drawn reach close enough to the end of what is loaded to fetch more.
pub fn near_end(end: usize, len: usize) -> bool {
    end + PAGE / 2 >= len
}

/// One line of a graph row, in pixels within the row.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Segment {
    /// Start x.
    pub x1: f64,
    /// Start y.
    pub y1: f64,
    /// End x.
    pub x2: f64,
    /// End y.
    pub y2: f64,
    /// The lane whose colour it takes (`lane-N` with N below 8).
    pub color: u16,
}

/// A graph row as drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct GraphShape {
    /// The drawing's width in pixels.
    pub width: f64,
    /// The commit's dot.
    pub dot: (f64, f64),
    /// The dot's colour.
    pub color: u16,
    /// A merge (drawn as a ring).
    pub merge: bool,
    /// The lines.
    pub lines: Vec<Segment>,
}

fn lane_x(lane: u16) -> f64 {
    f64::from(lane.min(MAX_LANES - 1)) * LANE_WIDTH + LANE_WIDTH / 2.0
}

/// The lines and dot of one row: lanes passing straight down, lines from the row above into
/// the commit, and lines from the commit to the lanes its parents continue in.
pub fn graph_shape(row: &GraphRow) -> GraphShape {
    let mid = ROW_HEIGHT / 2.0;
    let color = |lane: u16| lane % 8;
    let (x, mut lines) = (lane_x(row.lane), Vec::new());
    for &lane in &row.passing {
        if lane < MAX_LANES {
            lines.push(Segment {
                x1: lane_x(lane),
                y1: 0.0,
                x2: lane_x(lane),
                y2: ROW_HEIGHT,
                color: color(lane),
            });
        }
    }
    for &lane in &row.incoming {
        lines.push(Segment {
            x1: lane_x(lane),
            y1: 0.0,
            x2: x,
            y2: mid,
            color: color(lane),
        });
    }
    for &lane in &row.parents {
        lines.push(Segment {
            x1: x,
            y1: mid,
            x2: lane_x(lane),
            y2: ROW_HEIGHT,
            color: color(lane),
        });
    }
    GraphShape {
        width: f64::from(row.width.clamp(1, MAX_LANES)) * LANE_WIDTH,
        dot: (x, mid),
        color: color(row.lane),
        merge: row.parents.len() > 1,
        lines,
    }
}

/// The first `n` characters of a commit id.
pub fn short_id(id: &str) -> &str {
    id.get(..10).unwrap_or(id)
}

/// A time as `YYYY-MM-DD HH:MM` (UTC), for titles and the commit page.
pub fn format_time(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let secs = seconds.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        secs / 3600,
        (secs % 3600) / 60
    )
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to a Gregorian date.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// A past time relative to `now_seconds`, in words, falling back to the date after a month.
pub fn when(seconds: i64, now_seconds: i64) -> String {
    let ago = now_seconds.saturating_sub(seconds);
    if !(0..=30 * 86_400).contains(&ago) {
        return format_time(seconds)
            .get(..10)
            .unwrap_or_default()
            .to_owned();
    }
    crate::state::repos::ago(ago as f64 * 1000.0)
}

/// A ref label's kind, for its style: the current branch, a local branch, a remote-tracking
/// branch (of `origin`, the only remote the app makes) or a tag.
pub fn ref_class(name: &str, current: Option<&str>) -> &'static str {
    if name.starts_with("tags/") {
        "ref ref-tag"
    } else if Some(name) == current {
        "ref ref-head"
    } else if name.starts_with("origin/") {
        "ref ref-remote"
    } else {
        "ref ref-branch"
    }
}

#[cfg(test)]
mod tests {
    use tabgit_engine::protocol::{CommitSummary, GraphRow, HistoryEntry, Op};

    use super::{
        format_time, graph_shape, near_end, ref_class, when, window, Filters, Pages, LANE_WIDTH,
        OVERSCAN, PAGE, ROW_HEIGHT,
    };

    fn entry(id: &str) -> HistoryEntry {
        HistoryEntry {
            commit: CommitSummary {
                id: id.into(),
                parents: Vec::new(),
                author: "A".into(),
                email: "a@x".into(),
                time: 0,
                summary: "s".into(),
            },
            graph: GraphRow {
                lane: 0,
                incoming: vec![],
                passing: vec![],
                parents: vec![],
                width: 1,
            },
            refs: vec![],
        }
    }

    #[test]
    fn filters_become_a_request() {
        let mut filters = Filters {
            branch: " topic ".into(),
            author: String::new(),
            text: "fix".into(),
            ..Filters::default()
        };
        assert_eq!(
            filters.op("demo", 200, PAGE),
            Op::History {
                repo: "demo".into(),
                start: Some("topic".into()),
                all: false,
                path: None,
                author: None,
                text: Some("fix".into()),
                skip: 200,
                count: PAGE,
            }
        );
        assert!(filters.narrowed());
        filters.all = true;
        filters.text.clear();
        assert!(matches!(
            filters.op("demo", 0, 1),
            Op::History {
                start: None,
                all: true,
                ..
            }
        ));
        assert!(!filters.narrowed());
    }

    #[test]
    fn pages_load_in_order_and_end_on_a_short_page() {
        let mut pages = Pages::default();
        assert_eq!(pages.next_skip(), Some(0));
        pages.loading = true;
        assert_eq!(pages.next_skip(), None, "one request at a time");
        pages.add(0, (0..PAGE).map(|i| entry(&i.to_string())).collect());
        assert_eq!(pages.next_skip(), Some(PAGE));
        pages.add(5, vec![entry("stale")]);
        assert_eq!(
            pages.entries.len(),
            PAGE,
            "a page for another offset is dropped"
        );
        pages.add(PAGE, vec![entry("last")]);
        assert!(pages.done);
        assert_eq!(pages.next_skip(), None);
        assert_eq!(pages.position("last"), Some(PAGE));
    }

    #[test]
    fn only_rows_in_view_are_drawn() {
        assert_eq!(window(0.0, 360.0, 5), (0, 5));
        let (start, end) = window(ROW_HEIGHT * 1000.0, 360.0, 20_000);
        assert_eq!(start, 1000 - OVERSCAN);
        assert_eq!(end, 1000 + 11 + OVERSCAN);
        assert!(end - start < 50, "a screenful, not the list");
        assert_eq!(window(1e9, 360.0, 10), (10, 10), "scrolled past the end");
        assert!(near_end(150, 200));
        assert!(!near_end(10, 400));
    }

    #[test]
    // The coordinates are small multiples of exact binary fractions: equality is exact.
    #[allow(clippy::float_cmp)]
    fn graph_rows_become_lines() {
        // A merge in lane 0 with a line passing in lane 2, its second parent in lane 1.
        let shape = graph_shape(&GraphRow {
            lane: 0,
            incoming: vec![0],
            passing: vec![2],
            parents: vec![0, 1],
            width: 3,
        });
        assert!(shape.merge);
        assert_eq!(shape.width, 3.0 * LANE_WIDTH);
        assert_eq!(shape.lines.len(), 4);
        let passing = shape.lines[0];
        assert_eq!((passing.y1, passing.y2), (0.0, ROW_HEIGHT));
        assert_eq!(passing.x1, passing.x2);
        let to_second = shape.lines[3];
        assert_eq!(to_second.x2, LANE_WIDTH * 1.5);
        assert_eq!(to_second.color, 1);
        // A very wide graph is cut.
        let wide = graph_shape(&GraphRow {
            lane: 40,
            incoming: vec![],
            passing: vec![30],
            parents: vec![40],
            width: 41,
        });
        assert_eq!(wide.width, 12.0 * LANE_WIDTH);
        assert!(wide.dot.0 < wide.width);
        assert_eq!(
            wide.lines.len(),
            1,
            "a passing lane out of view is not drawn"
        );
    }

    #[test]
    fn times_in_words() {
        assert_eq!(format_time(0), "1970-01-01 00:00 UTC");
        assert_eq!(format_time(1_600_000_000), "2020-09-13 12:26 UTC");
        assert_eq!(format_time(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(when(1_600_000_000, 1_600_000_000 + 7200), "2 hours ago");
        assert_eq!(when(1_600_000_000, 1_700_000_000), "2020-09-13");
        assert_eq!(ref_class("tags/v1.0", None), "ref ref-tag");
        assert_eq!(ref_class("main", Some("main")), "ref ref-head");
        assert_eq!(ref_class("origin/main", Some("main")), "ref ref-remote");
        assert_eq!(ref_class("topic", Some("main")), "ref ref-branch");
    }
}
