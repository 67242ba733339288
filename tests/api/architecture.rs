//! The shape of the code, checked: the HTML pages never borrow from the JSON API, no
//! two files of app/src import each other (directly or around a loop), and the
//! documentation names every error code the server can answer with.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under app/src with its module path (`routes::api::members`).
fn modules() -> BTreeMap<String, String> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<String, String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, root, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(root).unwrap_or(&path);
                let mut name = rel.with_extension("").to_string_lossy().replace('/', "::");
                if let Some(parent) = name.strip_suffix("::mod") {
                    name = parent.to_string();
                }
                let source = std::fs::read_to_string(&path).unwrap_or_default();
                out.insert(name, source);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(&src_dir(), &src_dir(), &mut out);
    out
}

/// The longest module that a path like `services::items::Locks` names.
fn resolve<'a>(names: &'a BTreeSet<String>, path: &str) -> Option<&'a String> {
    let parts: Vec<&str> = path.split("::").collect();
    (1..=parts.len())
        .rev()
        .find_map(|n| names.get(&parts[..n].join("::")))
}

/// Strips comments, so prose that mentions a module is not an import, and inline
/// modules (`mod tests { … }`, always at the end of a file here), whose `super` is the
/// file itself.
fn code_only(source: &str) -> String {
    source
        .lines()
        .take_while(|l| {
            let l = l.trim_start();
            !((l.starts_with("mod ")
                || l.starts_with("pub mod ")
                || l.starts_with("pub(crate) mod "))
                && l.trim_end().ends_with('{'))
        })
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn idents_after<'s>(source: &'s str, prefix: &str) -> Vec<(&'s str, Option<&'s str>)> {
    let mut found = Vec::new();
    let mut rest = source;
    while let Some(i) = rest.find(prefix) {
        let before = rest[..i].chars().last();
        rest = &rest[i + prefix.len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(rest.len());
        let path = rest[..end].trim_end_matches(':');
        // `crate::a::{b, c}` names b and c inside a.
        let group = rest[end..]
            .strip_prefix('{')
            .and_then(|g| g.find('}').map(|j| &g[..j]));
        found.push((path, group));
    }
    found
}

/// Which module imports which: `crate::…` and `super::…` paths, and a `mod.rs` using a
/// child it declares.
fn import_graph() -> BTreeMap<String, BTreeSet<String>> {
    let modules = modules();
    let names: BTreeSet<String> = modules.keys().cloned().collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, source) in &modules {
        let code = code_only(source);
        let edges = graph.entry(module.clone()).or_default();
        let mut add = |target: Option<&String>| {
            if let Some(t) = target
                && t != module
            {
                edges.insert(t.clone());
            }
        };
        for (path, group) in idents_after(&code, "crate::") {
            add(resolve(&names, path));
            for item in group.into_iter().flat_map(|g| g.split(',')) {
                let item = item.trim().split([' ', ':']).next().unwrap_or("");
                if !item.is_empty() && item != "self" {
                    add(resolve(&names, &format!("{path}::{item}")));
                }
            }
        }
        let parent = module.rsplit_once("::").map(|(p, _)| p).unwrap_or("");
        for (path, _) in idents_after(&code, "super::") {
            let full = if parent.is_empty() {
                path.to_string()
            } else {
                format!("{parent}::{path}")
            };
            add(resolve(&names, &full).or_else(|| names.get(parent)));
        }
        for line in code.lines() {
            let line = line.trim();
            let Some(child) = line
                .strip_prefix("pub mod ")
                .or_else(|| line.strip_prefix("mod "))
                .and_then(|l| l.strip_suffix(';'))
            else {
                continue;
            };
            let without_decls: String = code
                .lines()
                .filter(|l| !l.trim().ends_with(&format!("mod {child};")))
                .collect::<Vec<_>>()
                .join("\n");
            let uses_child = !idents_after(&without_decls, &format!("{child}::")).is_empty();
            let full = if module == "lib" || module == "main" {
                child.to_string()
            } else {
                format!("{module}::{child}")
            };
            if uses_child && module != "lib" && module != "main" {
                add(names.get(&full));
            }
        }
    }
    graph
}

/// The strongly connected groups of more than one module (Tarjan, iteratively).
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    let nodes: Vec<&String> = graph.keys().collect();
    let index_of: BTreeMap<&String, usize> =
        nodes.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let n = nodes.len();
    let (mut index, mut low, mut on_stack) = (vec![usize::MAX; n], vec![0; n], vec![false; n]);
    let (mut stack, mut groups, mut next) = (Vec::new(), Vec::new(), 0);
    for start in 0..n {
        if index[start] != usize::MAX {
            continue;
        }
        let mut work = vec![(start, 0usize)];
        while let Some((v, child)) = work.pop() {
            if child == 0 {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            let edges: Vec<usize> = graph[nodes[v]]
                .iter()
                .filter_map(|t| index_of.get(t).copied())
                .collect();
            if child > 0 {
                let w = edges[child - 1];
                low[v] = low[v].min(low[w]);
            }
            let mut descended = false;
            for (i, &w) in edges.iter().enumerate().skip(child) {
                if index[w] == usize::MAX {
                    work.push((v, i + 1));
                    work.push((w, 0));
                    descended = true;
                    break;
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
            }
            if descended {
                continue;
            }
            if low[v] == index[v] {
                let mut group = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    group.push(nodes[w].clone());
                    if w == v {
                        break;
                    }
                }
                if group.len() > 1 {
                    group.sort();
                    groups.push(group);
                }
            }
        }
    }
    groups
}

#[test]
fn no_module_of_app_src_imports_itself_around_a_loop() {
    let graph = import_graph();
    assert!(
        graph.len() > 50,
        "the walk found too few modules: {}",
        graph.len()
    );
    // The check itself can see a loop.
    let mut looped = graph.clone();
    looped
        .entry("services::items".into())
        .or_default()
        .insert("services::votes".into());
    assert!(!cycles(&looped).is_empty(), "a planted loop went unseen");
    let found = cycles(&graph);
    assert!(
        found.is_empty(),
        "import cycles among app/src files: {found:#?}"
    );
}

#[test]
fn pages_never_import_the_json_api() {
    for (module, source) in modules() {
        if module.starts_with("routes::pages") {
            let code = code_only(&source);
            assert!(
                !code.contains("routes::api") && !code.contains("super::api"),
                "{module} imports the JSON API; put what both need in a service"
            );
        }
    }
}

#[test]
fn docs_name_every_error_code() {
    let docs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/api.md"))
            .unwrap_or_default();
    let missing: Vec<&str> = quorum::error::Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|code| !docs.contains(&format!("`{code}`")))
        .collect();
    assert!(missing.is_empty(), "docs/api.md does not name {missing:?}");
}
