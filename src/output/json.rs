//! JSON Lines: one object per hit (schema in the README).

use std::io::{self, Write};

use super::Printer;
use crate::search::Hit;

/// Prints each hit as one JSON object on its own line.
pub struct JsonPrinter<W: Write> {
    out: W,
}

impl<W: Write> JsonPrinter<W> {
    pub fn new(out: W) -> Self {
        JsonPrinter { out }
    }
}

impl<W: Write> Printer for JsonPrinter<W> {
    fn hit(&mut self, hit: &Hit) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, hit)?;
        self.out.write_all(b"\n")
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}
