//! A small, bounded XML tree over quick-xml: Office parts are small enough to hold in
//! memory, and a tree keeps the format readers short and readable.

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;
use quick_xml::reader::Reader;

/// A node of the tree: an element or a run of text.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    Elem(Element),
    Text(String),
}

/// An element, with its local name (namespace prefix dropped) and attributes.
#[derive(Debug, Clone, Default)]
pub(crate) struct Element {
    /// Local name ("p" for "w:p").
    pub name: String,
    /// Attributes as (qualified name, value).
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
}

impl Element {
    /// Attribute value by local name ("val" matches "w:val").
    pub fn attr(&self, local: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| local_of(k) == local)
            .map(|(_, v)| v.as_str())
    }

    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Elem(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    pub fn child(&self, local: &str) -> Option<&Element> {
        self.elements().find(|e| e.name == local)
    }

    pub fn children_named<'a>(&'a self, local: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.elements().filter(move |e| e.name == local)
    }

    /// First descendant (depth-first) with this local name.
    pub fn find(&self, local: &str) -> Option<&Element> {
        for e in self.elements() {
            if e.name == local {
                return Some(e);
            }
            if let Some(found) = e.find(local) {
                return Some(found);
            }
        }
        None
    }

    /// Follows a path of local names through first matches.
    pub fn path(&self, names: &[&str]) -> Option<&Element> {
        let mut cur = self;
        for n in names {
            cur = cur.child(n)?;
        }
        Some(cur)
    }

    /// All text below this element, concatenated.
    pub fn text(&self) -> String {
        let mut out = String::new();
        self.collect_text(&mut out);
        out
    }

    fn collect_text(&self, out: &mut String) {
        for n in &self.children {
            match n {
                Node::Text(t) => out.push_str(t),
                Node::Elem(e) => e.collect_text(out),
            }
        }
    }
}

pub(crate) fn local_of(qname: &str) -> &str {
    qname.rsplit_once(':').map_or(qname, |(_, l)| l)
}

/// Parses a whole XML document into a tree, refusing nesting deeper than `max_depth`.
pub(crate) fn parse(xml: &str, max_depth: u32) -> Result<Element, String> {
    let xml = xml.trim_start_matches('\u{feff}');
    let mut reader = Reader::from_str(xml);
    reader.config_mut().trim_text(false);
    let mut stack: Vec<Element> = vec![Element {
        name: "#document".to_string(),
        ..Element::default()
    }];
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("XML error at byte {}: {e}", reader.buffer_position()))?;
        match event {
            Event::Start(e) => {
                if stack.len() as u32 > max_depth {
                    return Err(format!("XML nested deeper than {max_depth} levels"));
                }
                stack.push(element_of(&e));
            }
            Event::Empty(e) => {
                let el = element_of(&e);
                if let Some(top) = stack.last_mut() {
                    top.children.push(Node::Elem(el));
                }
            }
            Event::End(_) => {
                if stack.len() <= 1 {
                    return Err("unbalanced closing tag".to_string());
                }
                if let Some(done) = stack.pop()
                    && let Some(top) = stack.last_mut()
                {
                    top.children.push(Node::Elem(done));
                }
            }
            Event::Text(t) => push_text(&mut stack, &t.xml10_content()),
            Event::CData(t) => push_text(&mut stack, t.as_ref()),
            Event::GeneralRef(r) => {
                let resolved = if r.is_char_ref() {
                    r.resolve_char_ref().ok().flatten().map(String::from)
                } else {
                    let name = r.xml10_content();
                    resolve_predefined_entity(&name).map(str::to_string)
                };
                if let Some(s) = resolved {
                    push_text(&mut stack, &s);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    // Tolerate missing closing tags at the end, as lenient readers do.
    while stack.len() > 1 {
        if let Some(done) = stack.pop()
            && let Some(top) = stack.last_mut()
        {
            top.children.push(Node::Elem(done));
        }
    }
    let doc = stack.pop().unwrap_or_default();
    doc.elements()
        .next()
        .cloned()
        .ok_or_else(|| "no root element".to_string())
}

fn push_text(stack: &mut [Element], text: &str) {
    if let Some(top) = stack.last_mut() {
        if let Some(Node::Text(prev)) = top.children.last_mut() {
            prev.push_str(text);
        } else {
            top.children.push(Node::Text(text.to_string()));
        }
    }
}

fn element_of(e: &quick_xml::events::BytesStart<'_>) -> Element {
    let qname = e.name().as_ref().to_string();
    let attrs = e
        .attributes()
        .with_checks(false)
        .filter_map(|a| a.ok())
        .map(|a| {
            let key = a.key.as_ref().to_string();
            let value = a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map(|v| v.into_owned())
                .unwrap_or_else(|_| a.value.to_string());
            (key, value)
        })
        .collect();
    Element {
        name: local_of(&qname).to_string(),
        attrs,
        children: Vec::new(),
    }
}
