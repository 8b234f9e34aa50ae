//! The call graph of a file's functions: which of them run commands (themselves or through
//! a callee), and which call themselves. Both in one visit of each call (O(functions +
//! calls)): a chain of thousands of functions is checked as fast as a short one.

use std::collections::HashMap;

use super::modules::FnInfo;
use crate::source::Span;

/// Marks every function that calls one that runs commands as running commands too.
pub fn spread_effects(fns: &mut HashMap<String, FnInfo>) {
    let mut callers: HashMap<&str, Vec<&str>> = HashMap::new();
    for (name, f) in fns.iter() {
        for (callee, _) in &f.calls {
            callers
                .entry(callee.as_str())
                .or_default()
                .push(name.as_str());
        }
    }
    let mut todo: Vec<&str> = fns
        .iter()
        .filter(|(_, f)| f.runs)
        .map(|(n, _)| n.as_str())
        .collect();
    let mut runs: Vec<String> = Vec::new();
    let mut seen: std::collections::HashSet<&str> = todo.iter().copied().collect();
    while let Some(at) = todo.pop() {
        for &caller in callers.get(at).map(Vec::as_slice).unwrap_or(&[]) {
            if seen.insert(caller) {
                runs.push(caller.to_string());
                todo.push(caller);
            }
        }
    }
    for name in runs {
        if let Some(f) = fns.get_mut(&name) {
            f.runs = true;
        }
    }
}

/// A recursion found: the function it starts from, the chain back to it, and the call that
/// closes the loop.
#[derive(Debug, Clone, PartialEq)]
pub struct Cycle {
    pub name: String,
    pub chain: Vec<String>,
    pub span: Span,
}

#[derive(Clone, Copy, PartialEq)]
enum Mark {
    /// On the path being walked: a call to it closes a loop.
    Open,
    Done,
}

/// Each loop of calls once, walking from the functions in source order.
pub fn cycles(fns: &HashMap<String, FnInfo>) -> Vec<Cycle> {
    let mut names: Vec<&str> = fns.keys().map(String::as_str).collect();
    names.sort_by_key(|n| fns[*n].span.start);
    let mut marks: HashMap<&str, Mark> = HashMap::new();
    let mut found = Vec::new();
    for root in names {
        if marks.contains_key(root) {
            continue;
        }
        // The path as (function, index of its next call), walked without recursion so a
        // deep chain cannot overflow the stack.
        let mut path: Vec<(&str, usize)> = vec![(root, 0)];
        let mut at_depth: HashMap<&str, usize> = HashMap::from([(root, 0)]);
        marks.insert(root, Mark::Open);
        while let Some(&mut (at, ref mut next)) = path.last_mut() {
            let calls = fns.get(at).map(|f| f.calls.as_slice()).unwrap_or(&[]);
            let Some((callee, span)) = calls.get(*next) else {
                marks.insert(at, Mark::Done);
                at_depth.remove(at);
                path.pop();
                continue;
            };
            *next += 1;
            let callee = callee.as_str();
            if !fns.contains_key(callee) {
                continue;
            }
            match marks.get(callee) {
                Some(Mark::Open) => {
                    let from = at_depth[callee];
                    let mut chain: Vec<String> =
                        path[from..].iter().map(|(n, _)| n.to_string()).collect();
                    chain.push(callee.to_string());
                    found.push(Cycle {
                        name: callee.to_string(),
                        chain,
                        span: *span,
                    });
                }
                Some(Mark::Done) => {}
                None => {
                    marks.insert(callee, Mark::Open);
                    at_depth.insert(callee, path.len());
                    path.push((callee, 0));
                }
            }
        }
    }
    found
}

/// More function calls than this in one call of a function is a runbook that multiplies
/// its work (each function calling the next twice doubles it): refused by `check`, never
/// left to exhaust memory in a run or a dry run.
pub const CALL_LIMIT: u64 = 100_000;

/// A function whose one call makes more than [`CALL_LIMIT`] calls, while none of the
/// functions it calls does: where the multiplication crosses the limit.
#[derive(Debug, Clone, PartialEq)]
pub struct Explosion {
    pub name: String,
    pub calls: u64,
    /// The callee that contributes most, how many times it is called, and the calls each
    /// of its own calls makes.
    pub callee: String,
    pub times: u64,
    pub each: u64,
    pub span: Span,
}

/// How many calls one call of each function makes, itself included (saturating; loops,
/// reported by [`cycles`], count once).
pub fn call_counts(fns: &HashMap<String, FnInfo>) -> HashMap<&str, u64> {
    let mut counts: HashMap<&str, u64> = HashMap::new();
    let mut open: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for root in fns.keys() {
        if counts.contains_key(root.as_str()) {
            continue;
        }
        let mut path: Vec<(&str, usize)> = vec![(root, 0)];
        open.insert(root);
        while let Some(&mut (at, ref mut next)) = path.last_mut() {
            let calls = fns.get(at).map(|f| f.calls.as_slice()).unwrap_or(&[]);
            if let Some((callee, _)) = calls.get(*next) {
                *next += 1;
                let callee = callee.as_str();
                if fns.contains_key(callee) && !counts.contains_key(callee) && open.insert(callee) {
                    path.push((callee, 0));
                }
                continue;
            }
            let total = calls.iter().fold(1u64, |sum, (callee, _)| {
                sum.saturating_add(counts.get(callee.as_str()).copied().unwrap_or(0))
            });
            counts.insert(at, total);
            open.remove(at);
            path.pop();
        }
    }
    counts
}

pub fn explosions(fns: &HashMap<String, FnInfo>) -> Vec<Explosion> {
    let counts = call_counts(fns);
    let over = |name: &str| counts.get(name).is_some_and(|&c| c > CALL_LIMIT);
    let mut found: Vec<Explosion> = Vec::new();
    for (name, f) in fns {
        if !over(name) || f.calls.iter().any(|(c, _)| over(c)) {
            continue;
        }
        let mut times: HashMap<&str, u64> = HashMap::new();
        for (callee, _) in &f.calls {
            *times.entry(callee.as_str()).or_default() += 1;
        }
        let each = |c: &str| counts.get(c).copied().unwrap_or(0);
        let Some((callee, n)) = times
            .iter()
            .max_by_key(|(c, n)| (n.saturating_mul(each(c)), std::cmp::Reverse(**c)))
        else {
            continue;
        };
        found.push(Explosion {
            name: name.clone(),
            calls: counts[name.as_str()],
            callee: callee.to_string(),
            times: *n,
            each: each(callee),
            span: f.span,
        });
    }
    found.sort_by_key(|e| e.span.start);
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::builtins::Signature;
    use crate::check::types::Ty;
    use crate::source::FileId;

    /// Functions `(name, runs, callees)`, declared in this order.
    fn graph(fns: &[(&str, bool, &[&str])]) -> HashMap<String, FnInfo> {
        fns.iter()
            .enumerate()
            .map(|(i, (name, runs, calls))| {
                let info = FnInfo {
                    sig: Signature::new(name, &[], &[], Ty::Any),
                    doc: None,
                    span: Span::new(FileId(0), i * 10, i * 10 + 1),
                    runs: *runs,
                    calls: calls
                        .iter()
                        .map(|c| (c.to_string(), Span::new(FileId(0), i * 10 + 5, i * 10 + 6)))
                        .collect(),
                };
                (name.to_string(), info)
            })
            .collect()
    }

    #[test]
    fn running_commands_reaches_every_caller_up_the_chain() {
        let mut fns = graph(&[
            ("top", false, &["mid"]),
            ("mid", false, &["leaf", "pure"]),
            ("leaf", true, &[]),
            ("pure", false, &[]),
            ("apart", false, &["pure"]),
        ]);
        spread_effects(&mut fns);
        let runs: Vec<bool> = ["top", "mid", "leaf", "pure", "apart"]
            .iter()
            .map(|n| fns[*n].runs)
            .collect();
        assert_eq!(runs, [true, true, true, false, false]);
    }

    #[test]
    fn each_loop_is_reported_once_from_its_first_function() {
        let fns = graph(&[
            ("a", false, &["b"]),
            ("b", false, &["c", "b"]),
            ("c", false, &["a", "missing"]),
            ("d", false, &["a"]),
        ]);
        let found: Vec<(String, String)> = cycles(&fns)
            .into_iter()
            .map(|c| (c.name, c.chain.join(" -> ")))
            .collect();
        assert_eq!(
            found,
            [
                ("a".to_string(), "a -> b -> c -> a".to_string()),
                ("b".to_string(), "b -> b".to_string()),
            ]
        );
    }

    #[test]
    fn a_function_calling_the_next_twice_is_refused_where_it_crosses_the_limit() {
        let names: Vec<String> = (0..40).map(|i| format!("f{i}")).collect();
        let spec: Vec<(&str, bool, Vec<&str>)> = names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let next = names.get(i + 1).map(String::as_str);
                (
                    n.as_str(),
                    false,
                    next.into_iter().flat_map(|c| [c, c]).collect(),
                )
            })
            .collect();
        let spec: Vec<(&str, bool, &[&str])> = spec
            .iter()
            .map(|(n, r, c)| (*n, *r, c.as_slice()))
            .collect();
        let fns = graph(&spec);
        assert_eq!(call_counts(&fns)["f0"], (1u64 << 40) - 1);
        let found = explosions(&fns);
        assert_eq!(found.len(), 1, "{found:?}");
        // 2^17 - 1 calls is the first over 100,000: f23 calls f24 twice, 65,535 calls each.
        assert_eq!(
            (
                found[0].name.as_str(),
                found[0].calls,
                found[0].callee.as_str(),
                found[0].times,
                found[0].each
            ),
            ("f23", 131_071, "f24", 2, 65_535)
        );
    }

    #[test]
    fn a_chain_of_twenty_thousand_calls_has_no_loop() {
        let names: Vec<String> = (0..20_000).map(|i| format!("f{i}")).collect();
        let mut fns = HashMap::new();
        for (i, name) in names.iter().enumerate() {
            let calls = names
                .get(i + 1)
                .map(|n| vec![(n.clone(), Span::new(FileId(0), 0, 1))])
                .unwrap_or_default();
            fns.insert(
                name.clone(),
                FnInfo {
                    sig: Signature::new(name, &[], &[], Ty::Any),
                    doc: None,
                    span: Span::new(FileId(0), i, i + 1),
                    runs: i + 1 == names.len(),
                    calls,
                },
            );
        }
        assert!(cycles(&fns).is_empty());
        spread_effects(&mut fns);
        assert!(fns["f0"].runs, "the last one's commands reach the first");
    }
}
