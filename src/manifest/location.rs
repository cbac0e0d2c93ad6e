//! Where a finding or an edit is: a place in the document as written, or a place inside one
//! module's *decoded* createOptions, whatever its form in the file (a string, chunks, an object).
//! Edits to createOptions are applied to the decoded object and written back in the module's own
//! form, so they must not be addressed through the file's text.

use super::pointer::Pointer;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The key of a module's createOptions in its `settings`.
pub const CREATE_OPTIONS: &str = "createOptions";

/// A place a finding is about or an edit changes.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Location {
    /// A place in the document (a module's `env`, a route, `$edgeAgent`…).
    Document(Pointer),
    /// A place in the decoded createOptions of the module whose object is at `module`.
    CreateOptions { module: Pointer, at: Pointer },
}

impl Location {
    /// The document pointer of a module's `settings/createOptions`.
    pub fn create_options_of(module: &Pointer) -> Pointer {
        module.child("settings").child(CREATE_OPTIONS)
    }

    /// The place as one JSON pointer: below `settings/createOptions` it points into the decoded
    /// createOptions (the convention of the CLI's JSON output and of decisions files).
    pub fn pointer(&self) -> Pointer {
        match self {
            Location::Document(p) => p.clone(),
            Location::CreateOptions { module, at } => Location::create_options_of(module).join(at),
        }
    }

    /// The pointer inside the decoded createOptions, for a createOptions location.
    pub fn in_create_options(&self) -> Option<(&Pointer, &Pointer)> {
        match self {
            Location::CreateOptions { module, at } => Some((module, at)),
            Location::Document(_) => None,
        }
    }

    /// The place as read from within a module (`createOptions/HostConfig/Binds/0`, `env/X`), for
    /// messages and panels that already name the module; the whole pointer otherwise.
    pub fn below(&self, module: &Pointer) -> String {
        let rest = match self {
            Location::CreateOptions { at, .. } => return format!("{CREATE_OPTIONS}{at}"),
            Location::Document(p) => p.strip_prefix(&module.child("settings")).or_else(|| p.strip_prefix(module)),
        };
        match rest {
            Some(r) if !r.is_root() => r.as_str()[1..].to_owned(),
            _ => self.to_string(),
        }
    }

    /// The same kind of location one token deeper.
    pub fn child(&self, token: &str) -> Location {
        match self {
            Location::Document(p) => Location::Document(p.child(token)),
            Location::CreateOptions { module, at } => {
                Location::CreateOptions { module: module.clone(), at: at.child(token) }
            }
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.pointer().as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_as_the_cli_pointer() {
        let module = Pointer::from_tokens(["modulesContent", "$edgeAgent", "properties.desired", "modules", "cam"]);
        let loc = Location::CreateOptions { module: module.clone(), at: Pointer::from_tokens(["HostConfig", "Binds"]) };
        assert_eq!(
            loc.to_string(),
            "/modulesContent/$edgeAgent/properties.desired/modules/cam/settings/createOptions/HostConfig/Binds"
        );
        assert_eq!(loc.child("0").in_create_options().unwrap().1.as_str(), "/HostConfig/Binds/0");
        assert_eq!(Location::Document(module.child("env")).to_string(), format!("{module}/env"));
        assert_eq!(loc.below(&module), "createOptions/HostConfig/Binds");
        assert_eq!(Location::Document(module.child("env").child("A")).below(&module), "env/A");
        assert_eq!(Location::Document(module.child("settings").child("image")).below(&module), "image");
    }
}
