//! Progress of an import on standard error: a bar when standard error is a terminal, a
//! plain line every few seconds otherwise (logs, CI).

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

/// How often the plain line is printed.
const LINE_EVERY: Duration = Duration::from_secs(2);

pub struct Progress {
    bar: Option<ProgressBar>,
    total: u64,
    started: Instant,
    last_line: Instant,
}

impl Progress {
    /// Progress over `total` rows.
    pub fn new(total: u64) -> Self {
        let now = Instant::now();
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template(
                "{elapsed_precise} [{wide_bar}] {human_pos}/{human_len} rows \
                 ({rate}, {eta} left)",
            ) {
                let style = style
                    .with_key(
                        "rate",
                        |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                            let _ = write!(w, "{:.0} rows/s", state.per_sec());
                        },
                    )
                    .progress_chars("=> ");
                bar.set_style(style);
            }
            bar
        });
        Progress {
            bar,
            total,
            started: now,
            last_line: now,
        }
    }

    /// `done` rows of the total are handled (imported or rejected).
    pub fn set(&mut self, done: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(done);
        } else if self.last_line.elapsed() >= LINE_EVERY {
            self.last_line = Instant::now();
            eprintln!(
                "import: {done} of {} rows ({:.0} rows/s)",
                self.total,
                rate(done, self.started.elapsed())
            );
        }
    }

    /// Removes the bar and prints how long it took, on standard error.
    pub fn finish(&self, done: u64) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        let took = self.started.elapsed();
        eprintln!(
            "import: {done} rows in {:.2} s ({:.0} rows/s)",
            took.as_secs_f64(),
            rate(done, took)
        );
    }
}

fn rate(done: u64, took: Duration) -> f64 {
    let secs = took.as_secs_f64();
    if secs > 0.0 {
        // Row counts are far below 2^52, so the conversion is exact.
        #[allow(clippy::cast_precision_loss)]
        let done = done as f64;
        done / secs
    } else {
        0.0
    }
}
