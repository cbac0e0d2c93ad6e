//! The README's rule table is generated from the rule docs; this keeps it from drifting.
//! `UPDATE_README=1 cargo test --test readme` rewrites it.

const START: &str = "<!-- rules:start -->\n";
const END: &str = "<!-- rules:end -->";

#[test]
fn readme_rule_table_matches_the_catalogue() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md");
    let start = readme.find(START).expect("README has a rules:start marker") + START.len();
    let end = readme[start..].find(END).expect("README has a rules:end marker") + start;
    let table = fpga2gpu::cli::rules_listing(fpga2gpu::cli::RulesFormat::Markdown, None);
    if readme[start..end] != table {
        if std::env::var_os("UPDATE_README").is_some() {
            std::fs::write(&path, format!("{}{}{}", &readme[..start], table, &readme[end..])).unwrap();
        } else {
            panic!("README rule table is out of date: run `UPDATE_README=1 cargo test --test readme`");
        }
    }
}

/// The README's device table between its markers: each row's field cell and flag cell.
fn device_rows() -> Vec<(String, String)> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(path).expect("README.md");
    let start = readme.find("<!-- device:start -->").expect("README has a device:start marker");
    let end = readme.find("<!-- device:end -->").expect("README has a device:end marker");
    readme[start..end]
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.split(" | ").collect();
            (cells[0].trim_start_matches("| ").to_owned(), cells[1].to_owned())
        })
        .collect()
}

/// Every `--flag` a text names.
fn flags(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| w.starts_with("--") && w.len() > 2)
        .map(str::to_owned)
        .collect()
}

#[test]
fn readme_device_table_has_every_profile_field_and_real_flags() {
    let rows = device_rows();
    let documented: Vec<String> =
        rows.iter().flat_map(|(field, _)| field.split(", ").map(|f| f.trim_matches('`').to_owned())).collect();
    let profile = serde_json::to_value(fpga2gpu::device::DeviceProfile::default()).unwrap();
    let fields: Vec<&String> = profile.as_object().unwrap().keys().collect();
    for f in &fields {
        assert!(documented.contains(f), "device field `{f}` has no row in the README's device table");
    }
    for d in &documented {
        assert!(fields.contains(&d), "the README's device table documents `{d}`, which the profile does not have");
    }
    // Every flag in the table is one of `check`, `migrate` and `k8s`, and every device flag of
    // `check` is in the table.
    let help = |command: &str| {
        let out =
            std::process::Command::new(env!("CARGO_BIN_EXE_fpga2gpu")).args([command, "--help"]).output().unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let table_flags: Vec<String> = rows.iter().flat_map(|(_, flag)| flags(flag)).collect();
    for command in ["check", "migrate", "k8s"] {
        let known = flags(&help(command));
        for f in &table_flags {
            assert!(known.contains(f), "`{command}` has no flag {f} (README device table)");
        }
    }
    let not_device = ["--format", "--fail-on", "--help"];
    for f in flags(&help("check")).iter().filter(|f| !not_device.contains(&f.as_str())) {
        assert!(table_flags.contains(f), "`check {f}` is not in the README's device table");
    }
}

/// The README's target column says what the app's Device panel does: a field of one target is
/// greyed for the other.
#[test]
fn readme_device_table_targets_match_the_device_panel() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(path).expect("README.md");
    let start = readme.find("<!-- device:start -->").expect("README has a device:start marker");
    let end = readme.find("<!-- device:end -->").expect("README has a device:end marker");
    for line in readme[start..end].lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.split(" | ").collect();
        for key in cells[0].trim_start_matches("| ").split(", ").map(|f| f.trim_matches('`')) {
            let doc = fpga2gpu::device::field(key).unwrap_or_else(|| panic!("no FieldDoc for `{key}`"));
            let target = doc.only.map_or("both", |t| t.name());
            assert_eq!(cells[3], target, "`{key}`: the README's target column and device::FIELDS disagree");
        }
    }
}
