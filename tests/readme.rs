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
