//! A progress bar for loading, drawn only on a terminal.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use reach_engine::Progress;

/// Shows the loader's progress on standard error when it is a terminal,
/// and nothing otherwise.
pub struct LoadProgress {
    bar: ProgressBar,
}

impl LoadProgress {
    /// A bar, hidden if `quiet` or if standard error is not a terminal.
    pub fn new(quiet: bool) -> LoadProgress {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        if quiet || !std::io::stderr().is_terminal() {
            bar.set_draw_target(ProgressDrawTarget::hidden());
        }
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} blobs") {
            bar.set_style(style.progress_chars("=> "));
        }
        LoadProgress { bar }
    }

    /// Shows one progress report.
    pub fn update(&self, progress: Progress) {
        match progress {
            Progress::Decoding { done, total } => {
                self.bar.set_message("decoding");
                self.bar.set_length(total as u64);
                self.bar.set_position(done as u64);
            }
            Progress::Step(step) => self.bar.set_message(step),
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
