//! Environment variable names as Kubernetes validates them (`[-._a-zA-Z][-._a-zA-Z0-9]*`), shared by
//! OTH004 (names) and OTH005 (entries moved to the module's `env`), so the two fixes agree.

use crate::manifest::placeholder::contains_placeholder;

/// What is wrong with a name, if anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Only `:` is wrong: replacing each with `__` makes it valid (.NET reads `__` as `:`).
    Colon,
    /// Something `__` does not cure; the text says what.
    Invalid(String),
}

/// True for a name Kubernetes accepts.
pub fn is_valid(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '-' | '.' | '_'))
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
}

/// The name with each `:` written as `__`.
pub fn sanitise(name: &str) -> String {
    name.replace(':', "__")
}

/// A name the rules leave alone: it holds a template placeholder, filled in later.
pub fn is_templated(name: &str) -> bool {
    contains_placeholder(name)
}

/// The problem of a name, `None` when Kubernetes accepts it.
pub fn problem(name: &str) -> Option<Problem> {
    if is_valid(name) {
        return None;
    }
    let fixed = sanitise(name);
    if name.contains(':') && is_valid(&fixed) {
        return Some(Problem::Colon);
    }
    let why = match fixed.chars().next() {
        None => "is empty".to_owned(),
        Some(c) if c.is_ascii_digit() => "starts with a digit".to_owned(),
        _ => match fixed.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))) {
            Some(' ') => "has a space".to_owned(),
            Some(c) => format!("has `{c}`"),
            None => "is not a valid name".to_owned(),
        },
    };
    Some(Problem::Invalid(why))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(problem("Logging__LogLevel"), None);
        assert_eq!(problem("-x.y_z"), None);
        assert_eq!(problem("Logging:LogLevel"), Some(Problem::Colon));
        assert_eq!(problem("1ST"), Some(Problem::Invalid("starts with a digit".into())));
        assert_eq!(problem("A B:C"), Some(Problem::Invalid("has a space".into())));
        assert_eq!(problem("A/B"), Some(Problem::Invalid("has `/`".into())));
        assert_eq!(problem(""), Some(Problem::Invalid("is empty".into())));
    }
}
