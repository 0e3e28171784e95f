//! Rendering hits: one printer per output format behind [`Printer`].

pub mod json;
pub mod text;

use std::io;

use crate::search::Hit;

/// Writes hits in one format.
pub trait Printer {
    /// Writes one hit.
    fn hit(&mut self, hit: &Hit) -> io::Result<()>;
    /// Flushes anything buffered.
    fn finish(&mut self) -> io::Result<()>;
}

/// Whether to colour terminal output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and `NO_COLOR` is not set.
    #[default]
    Auto,
    /// Always colour (overrides `NO_COLOR`).
    Always,
    /// Never colour.
    Never,
}

impl ColorChoice {
    /// Resolves `auto` against the environment.
    pub fn enabled(self, stdout_is_terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                stdout_is_terminal
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::env::var("TERM").map_or(true, |t| t != "dumb")
            }
        }
    }
}
