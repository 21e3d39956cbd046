//! Graphs of names: alias chains, sizes and loops, and types that contain themselves.

use std::collections::{HashMap, HashSet, VecDeque};

use super::{Cycles, Defined, Edges, Validator};
use crate::limits::{MAX_ALIAS_DEPTH, MAX_ALIAS_SIZE};
use crate::model::visit_named;
use crate::parser::ast::*;

impl<'a> Validator<'a> {
    /// An alias must not reach itself through other aliases (the result would be an infinite
    /// type), nor start too long a chain of aliases, nor expand to too large a type.
    pub(super) fn alias_limits(&mut self, alias: &'a AliasDefinition) {
        let name = alias.name.value.as_str();
        let facts = &self.aliases;
        let message = if let Some(&(first, members)) = facts.cyclic.get(name) {
            if members > MAX_ALIAS_DEPTH {
                // A loop this long is reported once, not at each of its aliases.
                if name != first {
                    return;
                }
                format!("alias `{name}` refers to itself through a loop of {members} aliases")
            } else {
                let path = facts.cycle_path(name);
                if path.len() <= 2 {
                    format!("alias `{name}` refers to itself")
                } else {
                    format!("alias `{name}` refers to itself: {}", path.join(" → "))
                }
            }
        } else if facts.depth(name) > MAX_ALIAS_DEPTH
            && facts.edges[name]
                .iter()
                .all(|next| facts.depth(next) <= MAX_ALIAS_DEPTH)
        {
            // Reported once, where the chain crosses the limit, not at every alias before.
            format!(
                "alias `{name}` begins a chain of more than {MAX_ALIAS_DEPTH} aliases, each naming the next"
            )
        } else if facts.size(name) > MAX_ALIAS_SIZE
            && facts.depth(name) <= MAX_ALIAS_DEPTH
            && facts.edges[name]
                .iter()
                .all(|next| facts.size(next) <= MAX_ALIAS_SIZE)
        {
            format!(
                "alias `{name}` stands for a type of more than {MAX_ALIAS_SIZE} parts once the aliases in it are replaced by what they name"
            )
        } else {
            return;
        };
        self.error(alias.name.span, message);
    }
}

/// What the aliases in scope refer to, worked out once per file so that each alias's checks
/// are cheap however the aliases chain, branch or loop.
#[derive(Default)]
pub(super) struct AliasFacts<'a> {
    /// Each alias's references to aliases, once per mention.
    edges: HashMap<&'a str, Vec<&'a str>>,
    /// Aliases on a cycle, with their cycle's first name and length.
    cyclic: HashMap<&'a str, (&'a str, usize)>,
    /// For the other aliases: the longest chain of aliases from each (itself included), and
    /// the number of type parts once every alias in it is expanded; both capped past the limit.
    depths: HashMap<&'a str, usize>,
    sizes: HashMap<&'a str, usize>,
}

impl<'a> AliasFacts<'a> {
    pub(super) fn of(types: &HashMap<&'a str, Defined<'a>>) -> Self {
        let aliases: HashMap<&'a str, &'a AliasDefinition> = types
            .iter()
            .filter_map(|(name, d)| match d.definition {
                Definition::Alias(a) => Some((*name, a)),
                _ => None,
            })
            .collect();
        let mut facts = AliasFacts::default();
        for (name, alias) in &aliases {
            let mut references = Vec::new();
            visit_named(&alias.ty, &mut |n| {
                if let Some((target, _)) = aliases.get_key_value(n.value.as_str()) {
                    references.push(*target);
                }
            });
            facts.edges.insert(name, references);
        }
        facts.cyclic = cyclic(&facts.edges);
        let mut order: Vec<&'a str> = aliases.keys().copied().collect();
        order.sort_unstable();
        for start in order {
            facts.measure(start, &aliases);
        }
        facts
    }

    fn depth(&self, name: &str) -> usize {
        self.depths.get(name).copied().unwrap_or(0)
    }

    pub(super) fn size(&self, name: &str) -> usize {
        self.sizes.get(name).copied().unwrap_or(0)
    }

    /// Fills in depth and size for `start` and every alias it reaches, children first,
    /// without recursion (chains may be arbitrarily long).
    fn measure(&mut self, start: &'a str, aliases: &HashMap<&'a str, &'a AliasDefinition>) {
        let mut stack = vec![(start, false)];
        while let Some((name, children_done)) = stack.pop() {
            if self.depths.contains_key(name) || self.cyclic.contains_key(name) {
                continue;
            }
            if !children_done {
                stack.push((name, true));
                for next in &self.edges[name] {
                    stack.push((next, false));
                }
                continue;
            }
            let children = &self.edges[name];
            let depth = 1 + children.iter().map(|c| self.depth(c)).max().unwrap_or(0);
            // Each mention of an alias counts as the parts it expands to, the rest as one each.
            let own_parts = type_parts(&aliases[name].ty);
            let size = children
                .iter()
                .map(|c| self.size(c).max(1))
                .fold(own_parts, |total, parts| total.saturating_add(parts));
            self.depths.insert(name, depth.min(MAX_ALIAS_DEPTH + 1));
            self.sizes.insert(name, size.min(MAX_ALIAS_SIZE + 1));
        }
    }

    fn cycle_path(&self, name: &'a str) -> Vec<&'a str> {
        cycle_path(&self.edges, &self.cyclic, name)
    }
}

/// The shortest way from `name` back to itself in `edges`, through nodes of `cyclic`, as
/// names (first and last `name`).
pub(super) fn cycle_path<'a>(
    edges: &HashMap<&'a str, Vec<&'a str>>,
    cyclic: &HashMap<&'a str, (&'a str, usize)>,
    name: &'a str,
) -> Vec<&'a str> {
    let mut previous: HashMap<&'a str, &'a str> = HashMap::new();
    let mut queue = VecDeque::from([name]);
    while let Some(current) = queue.pop_front() {
        for &next in &edges[current] {
            if next == name {
                let mut path = vec![name];
                let mut at = current;
                while at != name {
                    path.push(at);
                    match previous.get(at) {
                        Some(&before) => at = before,
                        None => break,
                    }
                }
                path.push(name);
                path.reverse();
                return path;
            }
            if cyclic.contains_key(next) && !previous.contains_key(next) {
                previous.insert(next, current);
                queue.push_back(next);
            }
        }
    }
    vec![name, name]
}

/// The number of parts of a type as written: `{string: [Point]}` has four.
fn type_parts(ty: &TypeRef) -> usize {
    let mut parts = 0usize;
    let mut stack = vec![ty];
    while let Some(ty) = stack.pop() {
        parts += 1;
        match ty {
            TypeRef::Named { .. } => {}
            TypeRef::List { item: inner, .. }
            | TypeRef::Optional { inner, .. }
            | TypeRef::Stream { inner, .. } => stack.push(inner),
            TypeRef::Map { key, value, .. } => stack.extend([key.as_ref(), value.as_ref()]),
        }
    }
    parts
}

/// The nodes of `edges` that lie on a cycle (those in a strongly connected component of more
/// than one node, or with an edge to themselves), each with its component's first name and
/// size (Tarjan's algorithm, without recursion).
pub(crate) fn cyclic<'a>(
    edges: &HashMap<&'a str, Vec<&'a str>>,
) -> HashMap<&'a str, (&'a str, usize)> {
    let mut index: HashMap<&'a str, usize> = HashMap::new();
    let mut low: HashMap<&'a str, usize> = HashMap::new();
    let mut on_stack: HashSet<&'a str> = HashSet::new();
    let mut stack: Vec<&'a str> = Vec::new();
    let mut found = HashMap::new();
    let mut roots: Vec<&'a str> = edges.keys().copied().collect();
    roots.sort_unstable();
    for root in roots {
        if index.contains_key(root) {
            continue;
        }
        // Each frame: a node and how many of its edges have been followed.
        let mut frames: Vec<(&'a str, usize)> = vec![(root, 0)];
        while let Some(&mut (node, ref mut next_edge)) = frames.last_mut() {
            if *next_edge == 0 && !index.contains_key(node) {
                let n = index.len();
                index.insert(node, n);
                low.insert(node, n);
                stack.push(node);
                on_stack.insert(node);
            }
            let successors = &edges[node];
            if let Some(&next) = successors.get(*next_edge) {
                *next_edge += 1;
                if !index.contains_key(next) {
                    frames.push((next, 0));
                } else if on_stack.contains(next) {
                    let lowest = low[node].min(index[next]);
                    low.insert(node, lowest);
                }
                continue;
            }
            frames.pop();
            if let Some(&(parent, _)) = frames.last() {
                let lowest = low[parent].min(low[node]);
                low.insert(parent, lowest);
            }
            if low[node] == index[node] {
                let mut component = Vec::new();
                while let Some(member) = stack.pop() {
                    on_stack.remove(member);
                    component.push(member);
                    if member == node {
                        break;
                    }
                }
                if component.len() > 1 || successors.contains(&node) {
                    let first = component.iter().copied().min().unwrap_or(node);
                    let size = component.len();
                    found.extend(component.into_iter().map(|m| (m, (first, size))));
                }
            }
        }
    }
    found
}

/// Which types contain which through plain fields, and the types on a cycle of those.
pub(super) fn containment<'a>(v: &Validator<'a>) -> (Edges<'a>, Cycles<'a>) {
    let mut edges: HashMap<&'a str, Vec<&'a str>> = HashMap::new();
    for (name, defined) in &v.types {
        let Definition::Type(t) = defined.definition else {
            continue;
        };
        let targets = t
            .fields
            .iter()
            .filter_map(|f| match &f.ty {
                TypeRef::Named { name } => match v.resolve_alias(&name.value)? {
                    Definition::Type(target) => Some(target.name.value.as_str()),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        edges.insert(name, targets);
    }
    // Every target must be a node of its own for the search.
    let known: HashSet<&'a str> = edges.keys().copied().collect();
    for targets in edges.values_mut() {
        targets.retain(|t| known.contains(t));
    }
    let cyclic = cyclic(&edges);
    (edges, cyclic)
}
