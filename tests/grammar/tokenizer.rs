//! A small TextMate tokenizer: enough of the format for the runbook grammar (`match`,
//! `begin`/`end` across lines, `captures`, `beginCaptures`/`endCaptures`, `patterns`,
//! `include` of `#repository` entries and `$self`, `name`, `contentName`, `firstLineMatch`).
//! At each point the earliest match wins, the first rule among equals, and a block's `end`
//! before its patterns, as in vscode-textmate.

use fancy_regex::Regex;
use serde_json::Value;

struct Rule {
    name: Option<String>,
    content_name: Option<String>,
    regex: Option<Regex>,
    end: Option<Regex>,
    captures: Vec<(usize, String)>,
    begin_captures: Vec<(usize, String)>,
    end_captures: Vec<(usize, String)>,
    /// Indices of the rules tried inside (for a block) or in turn (for a list).
    patterns: Vec<usize>,
    include: Option<String>,
}

pub struct Grammar {
    scope: String,
    first_line: Option<Regex>,
    rules: Vec<Rule>,
    top: Vec<usize>,
    repository: std::collections::HashMap<String, usize>,
}

fn regex(v: &Value) -> Option<Regex> {
    v.as_str()
        .map(|p| Regex::new(p).unwrap_or_else(|e| panic!("the grammar's regex `{p}`: {e}")))
}

fn captures(v: &Value) -> Vec<(usize, String)> {
    let Some(map) = v.as_object() else {
        return Vec::new();
    };
    let mut out: Vec<(usize, String)> = map
        .iter()
        .filter_map(|(k, c)| Some((k.parse().ok()?, c["name"].as_str()?.to_string())))
        .collect();
    out.sort();
    out
}

impl Grammar {
    pub fn load(json: &str) -> Grammar {
        let v: Value = serde_json::from_str(json).expect("the grammar is JSON");
        let mut g = Grammar {
            scope: v["scopeName"].as_str().expect("scopeName").to_string(),
            first_line: regex(&v["firstLineMatch"]),
            rules: Vec::new(),
            top: Vec::new(),
            repository: Default::default(),
        };
        if let Some(repo) = v["repository"].as_object() {
            for (name, rule) in repo {
                let id = g.add(rule);
                g.repository.insert(name.clone(), id);
            }
        }
        g.top = g.list(&v["patterns"]);
        g
    }

    fn list(&mut self, v: &Value) -> Vec<usize> {
        v.as_array()
            .map(|a| a.iter().map(|r| self.add(r)).collect())
            .unwrap_or_default()
    }

    fn add(&mut self, v: &Value) -> usize {
        let patterns = self.list(&v["patterns"]);
        let both = captures(&v["captures"]);
        let rule = Rule {
            name: v["name"].as_str().map(str::to_string),
            content_name: v["contentName"].as_str().map(str::to_string),
            regex: regex(&v["match"]).or_else(|| regex(&v["begin"])),
            end: regex(&v["end"]),
            begin_captures: [captures(&v["beginCaptures"]), both.clone()].concat(),
            end_captures: [captures(&v["endCaptures"]), both.clone()].concat(),
            captures: both,
            patterns,
            include: v["include"].as_str().map(str::to_string),
        };
        self.rules.push(rule);
        self.rules.len() - 1
    }

    pub fn first_line_matches(&self, line: &str) -> bool {
        self.first_line
            .as_ref()
            .is_some_and(|r| r.is_match(line).unwrap_or(false))
    }

    /// The rules a list stands for, includes expanded, in order.
    fn flatten(&self, list: &[usize], out: &mut Vec<usize>, depth: usize) {
        assert!(depth < 32, "includes nest too deep");
        for &id in list {
            let rule = &self.rules[id];
            match rule.include.as_deref() {
                Some("$self") => self.flatten(&self.top, out, depth + 1),
                Some(name) => {
                    let target = self.repository[name.trim_start_matches('#')];
                    self.flatten(&[target], out, depth + 1);
                }
                None if rule.regex.is_none() => self.flatten(&rule.patterns, out, depth + 1),
                None => out.push(id),
            }
        }
    }

    /// The scopes of every byte of every line, outermost first.
    pub fn tokenize(&self, lines: &[&str]) -> Vec<Vec<Vec<String>>> {
        // The blocks open: their rule and the scopes inside them.
        let mut stack: Vec<(usize, Vec<String>)> = Vec::new();
        let mut out = Vec::new();
        for line in lines {
            let mut scopes = vec![Vec::new(); line.len() + 1];
            let mut pos = 0;
            while pos <= line.len() {
                let base: Vec<String> = match stack.last() {
                    Some((_, s)) => s.clone(),
                    None => vec![self.scope.clone()],
                };
                let mut candidates = Vec::new();
                match stack.last() {
                    Some((block, _)) => {
                        self.flatten(&self.rules[*block].patterns, &mut candidates, 0)
                    }
                    None => self.flatten(&self.top, &mut candidates, 0),
                }
                let end = stack.last().and_then(|(b, _)| {
                    let r = self.rules[*b].end.as_ref()?;
                    r.captures_from_pos(line, pos).ok().flatten()
                });
                let mut best: Option<(usize, fancy_regex::Captures<'_, &str>)> = None;
                for id in candidates {
                    let Some(r) = &self.rules[id].regex else {
                        continue;
                    };
                    if let Ok(Some(c)) = r.captures_from_pos(line, pos) {
                        let start = c.get(0).map_or(usize::MAX, |m| m.start());
                        if best
                            .as_ref()
                            .is_none_or(|(_, b)| start < b.get(0).map_or(usize::MAX, |m| m.start()))
                        {
                            best = Some((id, c));
                        }
                    }
                }
                let end_start = end.as_ref().and_then(|c| c.get(0)).map(|m| m.start());
                let best_start = best.as_ref().and_then(|(_, c)| c.get(0)).map(|m| m.start());
                let take_end = match (end_start, best_start) {
                    (Some(e), Some(b)) => e <= b,
                    (Some(_), None) => true,
                    _ => false,
                };
                let fill =
                    |scopes: &mut Vec<Vec<String>>, from: usize, to: usize, with: &[String]| {
                        for s in scopes.iter_mut().take(to).skip(from) {
                            s.clone_from(&with.to_vec());
                        }
                    };
                if take_end {
                    let c = end.expect("an end match");
                    let m = c.get(0).expect("group 0");
                    fill(&mut scopes, pos, m.start(), &base);
                    let (block, inside) = stack.pop().expect("a block");
                    let mut outer = inside.clone();
                    if self.rules[block].content_name.is_some() {
                        outer.pop();
                    }
                    fill(&mut scopes, m.start(), m.end(), &outer);
                    self.apply(&mut scopes, &c, &self.rules[block].end_captures, &outer);
                    pos = m.end().max(pos + usize::from(m.end() == pos));
                    continue;
                }
                let Some((id, c)) = best else {
                    fill(&mut scopes, pos, line.len() + 1, &base);
                    break;
                };
                let rule = &self.rules[id];
                let m = c.get(0).expect("group 0");
                fill(&mut scopes, pos, m.start(), &base);
                let mut here = base.clone();
                here.extend(rule.name.clone());
                fill(&mut scopes, m.start(), m.end(), &here);
                if rule.end.is_some() {
                    self.apply(&mut scopes, &c, &rule.begin_captures, &here);
                    let mut inside = here.clone();
                    inside.extend(rule.content_name.clone());
                    stack.push((id, inside));
                } else {
                    self.apply(&mut scopes, &c, &rule.captures, &here);
                }
                // A zero-width match that opens nothing would match again here forever.
                pos = if m.end() > pos || rule.end.is_some() {
                    m.end()
                } else {
                    pos + 1
                };
                if m.end() == m.start() && rule.end.is_some() && pos == m.start() {
                    pos += 1;
                }
            }
            if let Some(last) = scopes.last().cloned() {
                if scopes.len() > line.len() {
                    scopes[line.len()] = last;
                }
            }
            out.push(scopes);
        }
        out
    }

    fn apply(
        &self,
        scopes: &mut [Vec<String>],
        c: &fancy_regex::Captures<'_, &str>,
        names: &[(usize, String)],
        base: &[String],
    ) {
        for (group, name) in names {
            if let Some(m) = c.get(*group) {
                for s in scopes.iter_mut().take(m.end()).skip(m.start()) {
                    if s.len() < base.len() {
                        *s = base.to_vec();
                    }
                    s.push(name.clone());
                }
            }
        }
    }
}
