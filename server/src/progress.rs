//! A progress bar for loading, drawn only on a terminal.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use reach_engine::Progress;

/// Shows the loader's progress on standard error when it is a terminal,
/// and nothing otherwise.
pub struct TerminalProgress {
    bar: ProgressBar,
}

impl TerminalProgress {
    /// A bar, hidden if `quiet` or if standard error is not a terminal.
    pub fn new(quiet: bool) -> TerminalProgress {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        if quiet || !std::io::stderr().is_terminal() {
            bar.set_draw_target(ProgressDrawTarget::hidden());
        }
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len}") {
            bar.set_style(style.progress_chars("=> "));
        }
        TerminalProgress { bar }
    }

    /// Shows one progress report.
    pub fn update(&self, progress: Progress) {
        match progress {
            Progress::Decoding { done, total } => self.count("decoding blobs", done, total),
            Progress::Step(step) => self.bar.set_message(step),
        }
    }

    /// Shows `done` of `total` items of the task `what`.
    pub fn count(&self, what: &'static str, done: usize, total: usize) {
        self.bar.set_message(what);
        self.bar.set_length(total as u64);
        self.bar.set_position(done as u64);
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
