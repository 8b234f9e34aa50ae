//! A markdown runbook as sections: each heading with the text and code under it, in order.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Parser, Tag, TagEnd};

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A paragraph or list item, as plain text (inline code keeps its backticks), with its
    /// inline code spans apart, and whether it is a list item.
    Text {
        text: String,
        inline: Vec<String>,
        list: bool,
    },
    /// A fenced or indented code block and its language.
    Code { lang: String, code: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub heading: String,
    pub level: usize,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, Default)]
pub struct Document {
    /// From front matter (`title:`), else the first level-1 heading.
    pub title: Option<String>,
    pub id: Option<String>,
    /// Text before the first section heading.
    pub intro: Vec<Item>,
    pub sections: Vec<Section>,
}

pub fn parse(markdown: &str) -> Document {
    let (front, body) = front_matter(markdown);
    let mut doc = Document::default();
    for line in front.lines() {
        if let Some(v) = line.strip_prefix("title:") {
            doc.title = Some(v.trim().trim_matches('"').to_string());
        }
        if let Some(v) = line.strip_prefix("id:") {
            doc.id = Some(v.trim().trim_matches('"').to_string());
        }
    }
    let mut heading: Option<(usize, String)> = None;
    let mut pending = Pending::default();
    let mut items_open = 0usize;
    let mut code: Option<(String, String)> = None;
    let mut current: Option<Section> = None;
    for event in Parser::new(body) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some((level_number(level), String::new()))
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, title)) = heading.take() {
                    if level == 1 && doc.title.is_none() {
                        doc.title = Some(title.clone());
                    }
                    if let Some(done) = current.take() {
                        doc.sections.push(done);
                    }
                    current = Some(Section {
                        heading: title,
                        level,
                        items: Vec::new(),
                    });
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                pending.flush(&mut doc, &mut current, items_open > 0);
                let lang = match kind {
                    CodeBlockKind::Fenced(l) => {
                        l.split_whitespace().next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((lang, body)) = code.take() {
                    push(&mut doc, &mut current, Item::Code { lang, code: body });
                }
            }
            Event::Text(t) => match (&mut heading, &mut code) {
                (Some((_, h)), _) => h.push_str(&t),
                (_, Some((_, c))) => c.push_str(&t),
                _ => pending.text.push_str(&t),
            },
            Event::Code(t) => match &mut heading {
                Some((_, h)) => h.push_str(&t),
                None => {
                    pending.text.push('`');
                    pending.text.push_str(&t);
                    pending.text.push('`');
                    pending.inline.push(t.to_string());
                }
            },
            Event::SoftBreak | Event::HardBreak => pending.text.push(' '),
            Event::Start(Tag::Item) => {
                pending.flush(&mut doc, &mut current, items_open > 0);
                items_open += 1;
            }
            Event::End(TagEnd::Paragraph) => pending.flush(&mut doc, &mut current, items_open > 0),
            Event::End(TagEnd::Item) => {
                pending.flush(&mut doc, &mut current, true);
                items_open = items_open.saturating_sub(1);
            }
            _ => {}
        }
    }
    if let Some(done) = current.take() {
        doc.sections.push(done);
    }
    doc
}

fn push(doc: &mut Document, current: &mut Option<Section>, item: Item) {
    match current {
        Some(s) => s.items.push(item),
        None => doc.intro.push(item),
    }
}

/// The text of a paragraph or list item being read, and its inline code.
#[derive(Default)]
struct Pending {
    text: String,
    inline: Vec<String>,
}

impl Pending {
    /// Ends the text gathered so far as one item.
    fn flush(&mut self, doc: &mut Document, current: &mut Option<Section>, list: bool) {
        let t = std::mem::take(&mut self.text);
        let codes = std::mem::take(&mut self.inline);
        if !t.trim().is_empty() {
            let item = Item::Text {
                text: t.trim().to_string(),
                inline: codes,
                list,
            };
            push(doc, current, item);
        }
    }
}

fn level_number(level: HeadingLevel) -> usize {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// `---` front matter at the very top, and the rest.
fn front_matter(markdown: &str) -> (&str, &str) {
    let Some(rest) = markdown.strip_prefix("---\n") else {
        return ("", markdown);
    };
    match rest.find("\n---\n") {
        Some(end) => (&rest[..end], &rest[end + 5..]),
        None => ("", markdown),
    }
}
