//! The public API of a generated Rust file, read with syn, one line per declaration:
//! `struct X`, `derive X: Clone`, `field X.name: T`, `fn name(T, U) -> R`,
//! `method X::name(T) -> R`, `impl Default for X`, `type X = T`, `enum X`, `variant X::A`,
//! `const NAME: T`, `static NAME: T`, `use path`. Parameter names are left out (callers do not
//! see them); `#[cfg]` is ignored (the guest feature counts as on); a private module's public
//! items count where a `pub use self::module::*` re-exports them.

use quote::ToTokens;
use syn::{FnArg, ImplItem, Item, ReturnType, Visibility};

/// The declarations of `text`, or syn's error.
pub fn declarations(text: &str) -> Result<Vec<String>, String> {
    let file = syn::parse_file(text).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    items(&file.items, &mut out);
    Ok(out)
}

fn spelled(tokens: impl ToTokens) -> String {
    tokens.to_token_stream().to_string().replace(' ', "")
}

fn public(visibility: &Visibility) -> bool {
    matches!(visibility, Visibility::Public(_))
}

fn signature(sig: &syn::Signature) -> String {
    let parameters: Vec<String> = sig
        .inputs
        .iter()
        .map(|input| match input {
            FnArg::Receiver(receiver) => spelled(receiver),
            FnArg::Typed(typed) => spelled(&typed.ty),
        })
        .collect();
    let result = match &sig.output {
        ReturnType::Default => String::new(),
        ReturnType::Type(_, ty) => format!(" -> {}", spelled(ty)),
    };
    format!("{}({}){result}", sig.ident, parameters.join(", "))
}

fn items(list: &[Item], out: &mut Vec<String>) {
    // Modules whose items the file re-exports whole.
    let reexported: Vec<String> = list
        .iter()
        .filter_map(|item| match item {
            Item::Use(u) if public(&u.vis) => {
                let path = spelled(&u.tree);
                path.strip_prefix("self::")
                    .and_then(|p| p.strip_suffix("::*"))
                    .map(String::from)
            }
            _ => None,
        })
        .collect();
    for item in list {
        match item {
            Item::Struct(s) if public(&s.vis) => {
                let name = s.ident.to_string();
                out.push(format!("struct {name}"));
                for attr in &s.attrs {
                    if attr.path().is_ident("derive") {
                        let _ = attr.parse_nested_meta(|meta| {
                            out.push(format!("derive {name}: {}", spelled(&meta.path)));
                            Ok(())
                        });
                    }
                }
                for field in &s.fields {
                    if let (true, Some(ident)) = (public(&field.vis), &field.ident) {
                        out.push(format!("field {name}.{ident}: {}", spelled(&field.ty)));
                    }
                }
            }
            Item::Enum(e) if public(&e.vis) => {
                out.push(format!("enum {}", e.ident));
                for variant in &e.variants {
                    out.push(format!("variant {}::{}", e.ident, variant.ident));
                }
            }
            Item::Fn(f) if public(&f.vis) => out.push(format!("fn {}", signature(&f.sig))),
            Item::Impl(i) => {
                let target = spelled(&i.self_ty);
                if let Some((_, path, _)) = &i.trait_ {
                    out.push(format!("impl {} for {target}", spelled(path)));
                    continue;
                }
                for member in &i.items {
                    match member {
                        ImplItem::Fn(f) if public(&f.vis) => {
                            out.push(format!("method {target}::{}", signature(&f.sig)))
                        }
                        ImplItem::Const(c) if public(&c.vis) => {
                            out.push(format!("const {target}::{}: {}", c.ident, spelled(&c.ty)))
                        }
                        _ => {}
                    }
                }
            }
            Item::Type(t) if public(&t.vis) => {
                out.push(format!("type {} = {}", t.ident, spelled(&t.ty)))
            }
            Item::Const(c) if public(&c.vis) => {
                out.push(format!("const {}: {}", c.ident, spelled(&c.ty)))
            }
            Item::Static(s) if public(&s.vis) => {
                out.push(format!("static {}: {}", s.ident, spelled(&s.ty)))
            }
            Item::Use(u) if public(&u.vis) => {
                let path = spelled(&u.tree);
                if !path.starts_with("self::") {
                    out.push(format!("use {path}"));
                }
            }
            Item::Mod(m) if reexported.contains(&m.ident.to_string()) => {
                if let Some((_, inner)) = &m.content {
                    items(inner, out);
                }
            }
            _ => {}
        }
    }
}
