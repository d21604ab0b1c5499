//! The clone dialog: the form, what it asks the engine for, and the progress it shows.

use tabgit_engine::protocol::Progress;

use crate::state::url::RemoteUrl;

/// The clone form's fields, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CloneForm {
    /// The repository URL.
    pub url: String,
    /// The local name (empty: derived from the URL).
    pub name: String,
    /// The branch to check out (empty: the remote's HEAD).
    pub branch: String,
    /// History depth (empty: all).
    pub depth: String,
    /// Fetch file contents only when needed (`blob:none`).
    pub partial: bool,
}

/// A checked clone request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClonePlan {
    /// The local name.
    pub name: String,
    /// The URL.
    pub url: RemoteUrl,
    /// The branch.
    pub branch: Option<String>,
    /// The depth.
    pub depth: Option<u32>,
    /// The partial-clone filter.
    pub filter: Option<String>,
}

/// Conversion
impl CloneForm {
    /// The local name the clone will get.
    pub fn effective_name(&self) -> String {
        if self.name.trim().is_empty() {
            RemoteUrl::parse(&self.url)
                .map(|u| u.repo_name())
                .unwrap_or_default()
        } else {
            self.name.trim().to_owned()
        }
    }

    /// The checked request, or what is wrong (`existing`: local names already taken).
    pub fn plan(&self, existing: &[String]) -> Result<ClonePlan, String> {
        let url = RemoteUrl::parse(&self.url).map_err(|e| e.to_string())?;
        let name = self.effective_name();
        if name.is_empty()
            || name.starts_with('.')
            || name.contains(['/', '\\', ':'])
            || name.chars().any(char::is_control)
        {
            return Err(format!(
                "'{name}' cannot be a local name: use letters, digits, - and _"
            ));
        }
        if existing.contains(&name) {
            return Err(format!(
                "A repository named '{name}' already exists: choose another local name"
            ));
        }
        let depth = match self.depth.trim() {
            "" => None,
            d => match d.parse::<u32>() {
                Ok(n) if n > 0 => Some(n),
                _ => return Err("Depth must be a whole number of commits, 1 or more".into()),
            },
        };
        let branch = Some(self.branch.trim().to_owned()).filter(|b| !b.is_empty());
        Ok(ClonePlan {
            name,
            url,
            branch,
            depth,
            filter: self.partial.then(|| "blob:none".to_owned()),
        })
    }
}

/// One phase of a running clone, fetch or push.
#[derive(Clone, Debug, PartialEq)]
pub struct PhaseView {
    /// "Receiving objects".
    pub name: String,
    /// Done so far.
    pub done: u64,
    /// In total (0 when unknown).
    pub total: u64,
    /// Bytes so far.
    pub bytes: u64,
    /// Bytes per second, when it can be told.
    pub rate: Option<f64>,
    /// When the phase started (ms).
    started_ms: f64,
    /// Whether a later phase has started.
    pub finished: bool,
}

/// Conversion
impl PhaseView {
    /// The fraction done, when the total is known.
    pub fn fraction(&self) -> Option<f64> {
        if self.finished {
            return Some(1.0);
        }
        (self.total > 0).then(|| (self.done as f64 / self.total as f64).min(1.0))
    }

    /// The phase in words: `Receiving objects: 512 / 2048, 1.2 MB at 0.6 MB/s`.
    pub fn text(&self) -> String {
        let mut text = self.name.clone();
        if self.total > 0 {
            text.push_str(&format!(": {} / {}", self.done, self.total));
        } else if self.done > 0 {
            text.push_str(&format!(": {}", self.done));
        }
        if self.bytes > 0 {
            text.push_str(&format!(", {:.1} MB", self.bytes as f64 / 1e6));
            if let Some(rate) = self.rate {
                text.push_str(&format!(" at {:.1} MB/s", rate / 1e6));
            }
        }
        if self.finished {
            text.push_str(", done");
        }
        text
    }
}

/// The progress of one request, phase by phase, with the server's messages.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProgressLog {
    /// The phases seen, in order.
    pub phases: Vec<PhaseView>,
    /// Messages from the server (sanitized by the engine).
    pub messages: Vec<String>,
}

/// Mutation
impl ProgressLog {
    /// Take in an event from the engine at `now_ms`.
    pub fn update(&mut self, progress: Progress, now_ms: f64) {
        match progress {
            Progress::Phase {
                name,
                done,
                total,
                bytes,
            } => match self.phases.last_mut() {
                Some(last) if last.name == name => {
                    let seconds = (now_ms - last.started_ms) / 1000.0;
                    last.rate = (bytes > 0 && seconds >= 0.2).then(|| bytes as f64 / seconds);
                    last.done = done;
                    last.total = total;
                    last.bytes = bytes;
                }
                _ => {
                    if let Some(last) = self.phases.last_mut() {
                        last.finished = true;
                    }
                    self.phases.push(PhaseView {
                        name,
                        done,
                        total,
                        bytes,
                        rate: None,
                        started_ms: now_ms,
                        finished: false,
                    });
                }
            },
            Progress::Message(text) => {
                let text = text.trim_end().to_owned();
                if !text.is_empty() {
                    self.messages.push(text);
                    if self.messages.len() > 50 {
                        self.messages.remove(0);
                    }
                }
            }
        }
    }
}

/// Access
impl ProgressLog {
    /// The phase in progress.
    pub fn current(&self) -> Option<&PhaseView> {
        self.phases.last()
    }
}

#[cfg(test)]
mod tests {
    use tabgit_engine::protocol::Progress;

    use super::{CloneForm, ProgressLog};

    #[test]
    fn the_form_becomes_a_plan() {
        let mut form = CloneForm {
            url: "http://127.0.0.1:8781/demo.git".into(),
            ..CloneForm::default()
        };
        let plan = form.plan(&[]).expect("valid");
        assert_eq!(plan.name, "demo");
        assert_eq!((plan.branch, plan.depth, plan.filter), (None, None, None));
        assert!(form
            .plan(&["demo".into()])
            .expect_err("taken")
            .contains("already exists"));
        form.name = "mine".into();
        form.depth = "1".into();
        form.partial = true;
        form.branch = " topic ".into();
        let plan = form.plan(&["demo".into()]).expect("valid");
        assert_eq!(plan.depth, Some(1));
        assert_eq!(plan.filter.as_deref(), Some("blob:none"));
        assert_eq!(plan.branch.as_deref(), Some("topic"));
        form.depth = "zero".into();
        assert!(form.plan(&[]).is_err());
        form.depth.clear();
        form.name = "../x".into();
        assert!(form.plan(&[]).is_err());
        form.url = "git@github.com:a/b.git".into();
        assert!(form.plan(&[]).expect_err("ssh").contains("HTTPS"));
    }

    #[test]
    fn progress_goes_phase_by_phase_with_a_rate() {
        let phase = |name: &str, done, total, bytes| Progress::Phase {
            name: name.into(),
            done,
            total,
            bytes,
        };
        let mut log = ProgressLog::default();
        log.update(phase("Counting objects", 0, 0, 0), 0.0);
        log.update(phase("Receiving objects", 10, 100, 0), 100.0);
        log.update(phase("Receiving objects", 50, 100, 2_000_000), 1_100.0);
        log.update(Progress::Message("remote: hello\n".into()), 1_200.0);
        assert_eq!(log.phases.len(), 2);
        assert!(log.phases[0].finished);
        assert_eq!(log.phases[0].fraction(), Some(1.0));
        let current = log.current().expect("receiving");
        assert_eq!(current.fraction(), Some(0.5));
        assert_eq!(
            current.text(),
            "Receiving objects: 50 / 100, 2.0 MB at 2.0 MB/s"
        );
        assert_eq!(log.messages, ["remote: hello"]);
    }
}
