//! What the app remembers between runs (through eframe's storage): theme, recent files, which
//! panels show, the target the engineer chose. eframe itself keeps the window size and position.

use crate::device::Target;
use eframe::egui;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The key of the settings in eframe's storage.
pub const STORAGE_KEY: &str = "fpga2gpu.settings";
/// How many recent files the File menu lists.
pub const RECENT_LIMIT: usize = 10;

/// The persisted settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub theme: egui::ThemePreference,
    /// Most recent first.
    pub recent: Vec<PathBuf>,
    /// The module list and the findings panel are shown (either can be hidden on a small screen).
    pub modules_panel: bool,
    pub findings_panel: bool,
    /// Long lines of the side-by-side view wrap instead of scrolling sideways.
    pub wrap: bool,
    /// The target chosen when the first manifest was opened (`None`: not asked yet).
    pub target: Option<Target>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            theme: egui::ThemePreference::System,
            recent: Vec::new(),
            modules_panel: true,
            findings_panel: true,
            wrap: false,
            target: None,
        }
    }
}

impl Settings {
    /// Reads the settings; anything unreadable gives the defaults (settings are never worth an error).
    pub fn load(storage: Option<&dyn eframe::Storage>) -> Settings {
        storage
            .and_then(|s| s.get_string(STORAGE_KEY))
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    }

    pub fn save(&self, storage: &mut dyn eframe::Storage) {
        if let Ok(text) = serde_json::to_string(self) {
            storage.set_string(STORAGE_KEY, text);
        }
    }

    /// Puts a file at the top of the recent list.
    pub fn remember(&mut self, path: &Path) {
        let path = path.canonicalize().unwrap_or_else(|_| path.to_owned());
        self.recent.retain(|p| *p != path);
        self.recent.insert(0, path);
        self.recent.truncate(RECENT_LIMIT);
    }

    pub fn forget(&mut self, path: &Path) {
        self.recent.retain(|p| p != path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eframe::Storage as _;
    use std::collections::HashMap;

    #[derive(Default)]
    struct Memory(HashMap<String, String>);

    impl eframe::Storage for Memory {
        fn get_string(&self, key: &str) -> Option<String> {
            self.0.get(key).cloned()
        }
        fn set_string(&mut self, key: &str, value: String) {
            self.0.insert(key.to_owned(), value);
        }
        fn remove_string(&mut self, key: &str) {
            self.0.remove(key);
        }
        fn flush(&mut self) {}
    }

    #[test]
    fn settings_round_trip_through_storage() {
        let mut s = Settings {
            theme: egui::ThemePreference::Dark,
            findings_panel: false,
            target: Some(Target::Vm),
            ..Settings::default()
        };
        for i in 0..12 {
            s.remember(Path::new(&format!("/nowhere/{i}.json")));
        }
        s.remember(Path::new("/nowhere/3.json"));
        assert_eq!(s.recent.len(), RECENT_LIMIT);
        assert_eq!(s.recent[0], PathBuf::from("/nowhere/3.json"));
        let mut storage = Memory::default();
        s.save(&mut storage);
        assert_eq!(Settings::load(Some(&storage)), s);
        storage.set_string(STORAGE_KEY, "not json".into());
        assert_eq!(Settings::load(Some(&storage)), Settings::default());
    }
}
