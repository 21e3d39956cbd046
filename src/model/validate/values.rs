//! Literals (defaults and annotation arguments) against the types they must fit.

use super::Validator;
use crate::diagnostic::Span;
use crate::parser::ast::*;

impl<'a> Validator<'a> {
    /// Checks that a literal fits a type; `what` names the place, for messages.
    pub(super) fn value(&mut self, ty: &TypeRef, value: &Value, what: &str) {
        if let Err((span, message)) = self.fits(ty, value, 0) {
            self.error(span, format!("{message}, in {what}"));
        }
    }

    pub(super) fn fits(
        &self,
        ty: &TypeRef,
        value: &Value,
        depth: usize,
    ) -> Result<(), (Span, String)> {
        if depth > crate::limits::MAX_SCHEMA_NESTING {
            return Ok(());
        }
        match ty {
            TypeRef::Optional { inner, .. } => match value {
                Value::Null { .. } => Ok(()),
                _ => self.fits(inner, value, depth + 1),
            },
            TypeRef::Stream { inner, .. } => self.fits(inner, value, depth + 1),
            TypeRef::List { item, .. } => match value {
                Value::List { values, .. } => values
                    .iter()
                    .try_for_each(|v| self.fits(item, v, depth + 1)),
                _ => mismatch(value, "a list"),
            },
            TypeRef::Map { value: item, .. } => match value {
                Value::Object { fields, .. } => fields
                    .iter()
                    .try_for_each(|f| self.fits(item, &f.value, depth + 1)),
                _ => mismatch(value, "a map (an object literal)"),
            },
            TypeRef::Named { name } => self.fits_named(&name.value, value, depth),
        }
    }

    pub(super) fn fits_named(
        &self,
        name: &str,
        value: &Value,
        depth: usize,
    ) -> Result<(), (Span, String)> {
        if let Some(primitive) = Primitive::from_name(name) {
            return fits_primitive(primitive, value);
        }
        match self.types.get(name).map(|d| d.definition) {
            Some(Definition::Enum(e)) => match value {
                Value::Enum { value: v, span } => {
                    if e.values.iter().any(|ev| ev.name.value == *v) {
                        Ok(())
                    } else {
                        let known: Vec<&str> =
                            e.values.iter().map(|ev| ev.name.value.as_str()).collect();
                        Err((
                            *span,
                            format!(
                                "`{v}` is not a value of enum `{name}` (its values are {})",
                                known.join(", ")
                            ),
                        ))
                    }
                }
                _ => mismatch(value, &format!("a value of enum `{name}`")),
            },
            Some(Definition::Type(t)) => match value {
                Value::Object { fields, span } => {
                    for field in fields {
                        let Some(def) = t.fields.iter().find(|f| f.name.value == field.name.value)
                        else {
                            return Err((
                                field.name.span,
                                format!("type `{name}` has no field `{}`", field.name.value),
                            ));
                        };
                        self.fits(&def.ty, &field.value, depth + 1)?;
                    }
                    let missing = t.fields.iter().find(|f| {
                        !matches!(f.ty, TypeRef::Optional { .. })
                            && f.default.is_none()
                            && !fields.iter().any(|given| given.name.value == f.name.value)
                    });
                    match missing {
                        Some(f) => Err((
                            *span,
                            format!("field `{}` of type `{name}` is missing", f.name.value),
                        )),
                        None => Ok(()),
                    }
                }
                _ => mismatch(value, &format!("an object of type `{name}`")),
            },
            Some(Definition::Alias(a)) => self.fits(&a.ty, value, depth + 1),
            Some(Definition::Union(u)) => {
                if u.types
                    .iter()
                    .any(|member| self.fits(member, value, depth + 1).is_ok())
                {
                    Ok(())
                } else {
                    mismatch(value, &format!("a value of union `{name}`"))
                }
            }
            // Unknown types are reported where the type is named.
            _ => Ok(()),
        }
    }
}

/// Checks that a literal fits a built-in type.
fn fits_primitive(primitive: Primitive, value: &Value) -> Result<(), (Span, String)> {
    // The values an integer type holds; the other types return their verdict here.
    let range: std::ops::RangeInclusive<i128> = match primitive {
        Primitive::I8 => i8::MIN.into()..=i8::MAX.into(),
        Primitive::I16 => i16::MIN.into()..=i16::MAX.into(),
        Primitive::I32 => i32::MIN.into()..=i32::MAX.into(),
        Primitive::I64 => i64::MIN.into()..=i64::MAX.into(),
        Primitive::U8 => 0..=u8::MAX.into(),
        Primitive::U16 => 0..=u16::MAX.into(),
        Primitive::U32 => 0..=u32::MAX.into(),
        Primitive::U64 => 0..=u64::MAX.into(),
        Primitive::F32 | Primitive::F64 => {
            return match value {
                Value::Float { .. } | Value::Int { .. } => Ok(()),
                _ => mismatch(value, "a number"),
            };
        }
        Primitive::Bool => {
            return match value {
                Value::Bool { .. } => Ok(()),
                _ => mismatch(value, "a boolean"),
            };
        }
        Primitive::String | Primitive::Datetime | Primitive::Bytes => {
            return match value {
                Value::String { .. } => Ok(()),
                _ => mismatch(value, "a string"),
            };
        }
        Primitive::Raw => return Ok(()),
    };
    let name = primitive.name();
    match value {
        Value::Int { value: n, span } if !range.contains(&i128::from(*n)) => Err((
            *span,
            format!(
                "{n} is out of range for `{name}` ({}..={})",
                range.start(),
                range.end()
            ),
        )),
        Value::Int { .. } => Ok(()),
        _ => mismatch(value, &format!("an integer (`{name}`)")),
    }
}

/// The error for `value` where `expected` was wanted.
fn mismatch(value: &Value, expected: &str) -> Result<(), (Span, String)> {
    Err((
        value.span(),
        format!("expected {expected}, found {}", value.describe()),
    ))
}
