//! `fpga2gpu check --format github`: GitHub Actions workflow commands, one annotation per finding
//! (`::error file=…,line=…,col=…,endLine=…,endColumn=…,title=STO001::message`).

use super::position::Position;
use crate::rules::{Finding, Severity};
use std::fmt::Write;

/// The annotations of one file's findings.
pub fn annotations(file: &str, findings: &[Finding], positions: &[Position]) -> String {
    let mut out = String::new();
    for (f, p) in findings.iter().zip(positions) {
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let r = &p.region;
        let _ = writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            property(file),
            r.start_line,
            r.start_column,
            r.end_line,
            r.end_column,
            property(&format!("{} ({})", f.rule, f.module.as_deref().unwrap_or("deployment"))),
            data(&super::quoted_message(f, p))
        );
    }
    out
}

/// A file that could not be read, as an error annotation.
pub fn unreadable(file: &str, line: usize, column: usize, message: &str) -> String {
    format!("::error file={},line={line},col={column},title=fpga2gpu::{}\n", property(file), data(message))
}

/// Escapes a command's message the way the Actions runner reads it back.
fn data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a property value (`file=`, `title=`): also `:` and `,`, which end a property.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_the_actions_runner() {
        assert_eq!(data("50%\nnext"), "50%25%0Anext");
        assert_eq!(property("a,b:c"), "a%2Cb%3Ac");
    }
}
