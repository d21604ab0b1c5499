//! `git push` (placeholder module filled below).
