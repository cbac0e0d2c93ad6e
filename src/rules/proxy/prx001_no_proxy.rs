//! PRX001: a module behind a web proxy without `no_proxy=localhost`.

use crate::manifest::Module;
use crate::rules::shared::env::{self, Place, Var, redact};
use crate::rules::{Check, Context, Edit, Finding, FixAvailability, K8S, Rule, RuleDoc, Section, Severity, Suggestion};
use serde_json::json;

/// The variables that send a module's HTTP(S) traffic to a proxy (any case).
pub const PROXY_VARS: [&str; 2] = ["https_proxy", "http_proxy"];
const NO_PROXY: &str = "no_proxy";

pub static RULE: Rule = Rule {
    doc: RuleDoc {
        id: "PRX001",
        section: Section::Proxy,
        severity: Severity::Error,
        fix: FixAvailability::Always,
        targets: K8S,
        title: "Module behind a web proxy without `no_proxy=localhost`",
        detects: "A module (edgeHub above all) with `https_proxy` or `http_proxy` (any case, non-empty) in its `env` or `createOptions.Env`, and no `no_proxy` (any case) listing `localhost` (or `*`).",
        why: "On Kubernetes every module pod has an IoT Edge proxy side-car on localhost:35000/35001, and the module reaches the IoT Edge daemon (its identity, its keys, edgeHub's certificates) over plain HTTP on localhost through it. With a proxy variable and no `no_proxy=localhost`, that traffic goes to the web proxy, which cannot reach the pod's localhost, and the module cannot authenticate. On Docker the daemon was a Unix socket, so the FPGA manifest did not need it.",
        before: r#"{"env": {"https_proxy": {"value": "http://proxy:3128"}}}"#,
        after: r#"{"env": {"https_proxy": {"value": "http://proxy:3128"}, "no_proxy": {"value": "localhost"}}}"#,
        fix_safety: "Safe: only localhost stops going through the proxy. The variable is added where the proxy variable is (the module's `env`, or `createOptions.Env`), named in the proxy variable's case (`no_proxy`, or `NO_PROXY` next to `HTTPS_PROXY`); an existing `no_proxy` gets `,localhost` appended, a placeholder in it kept as it is.",
    },
    check: Check::Module(check),
};

fn check(ctx: &Context, module: &Module) -> Vec<Finding> {
    let vars = ctx.env(module);
    let Some(proxy) = proxy(vars) else { return Vec::new() };
    let no_proxies: Vec<&Var> = env::named(vars, NO_PROXY).collect();
    if no_proxies.iter().any(|v| v.value.as_deref().is_some_and(bypasses_localhost)) {
        return Vec::new();
    }
    let proxy_url = redact(proxy.value.as_deref().unwrap_or_default());
    let (state, edits) = if no_proxies.is_empty() {
        let name = if proxy.name.chars().any(|c| c.is_ascii_lowercase()) {
            NO_PROXY.to_owned()
        } else {
            NO_PROXY.to_ascii_uppercase()
        };
        let edit = match proxy.place {
            Place::Section => Edit::Set { at: env::section_at(module, &name), value: json!({"value": "localhost"}) },
            // The proxy variable came from createOptions `Env`, so the list is there, spelt as written.
            Place::Create { .. } => {
                let Some(list) = module.container().and_then(|c| c.env.as_ref()) else { return Vec::new() };
                Edit::Append {
                    at: module.create_options_at(list.at.clone()),
                    value: format!("{name}=localhost").into(),
                }
            }
        };
        ("there is no `no_proxy`".to_owned(), vec![edit])
    } else {
        let state = no_proxies
            .iter()
            .map(|v| format!("`{}={}`", v.name, v.value.as_deref().unwrap_or_default()))
            .collect::<Vec<_>>()
            .join(" and ");
        let edits = no_proxies
            .iter()
            .map(|v| {
                let list = v.value.as_deref().unwrap_or_default().trim().trim_end_matches(',');
                let list = if list.is_empty() { "localhost".to_owned() } else { format!("{list},localhost") };
                Edit::Set { at: v.value_at.clone(), value: v.written(&list) }
            })
            .collect();
        (format!("{state} does not list localhost"), edits)
    };
    let message = format!(
        "`{}={proxy_url}` in {}, and {state}: the module's calls to the IoT Edge daemon on localhost would go to the proxy",
        proxy.name,
        proxy.location()
    );
    vec![
        Finding::new(&RULE, Some(module), proxy.at.clone(), message)
            .suggest(Suggestion::new("add localhost to `no_proxy`", edits)),
    ]
}

/// The first proxy variable with a value.
pub fn proxy<'v, 'a>(vars: &'v [Var<'a>]) -> Option<&'v Var<'a>> {
    vars.iter().find(|v| {
        PROXY_VARS.iter().any(|p| v.name.trim().eq_ignore_ascii_case(p))
            && v.value.as_deref().is_some_and(|x| !x.trim().is_empty())
    })
}

/// A `no_proxy` list that keeps localhost off the proxy: it lists `localhost` or `*`.
fn bypasses_localhost(list: &str) -> bool {
    list.split([',', ' ']).map(str::trim).any(|e| e.eq_ignore_ascii_case("localhost") || e == "*")
}
