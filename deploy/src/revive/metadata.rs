//! Hand-written message and event declarations against the contracts' own
//! metadata (written by `cargo contract build --release` beside each
//! `.polkavm`): selector, argument names, and the SCALE shape of every
//! argument, return value and event field. A declaration that drifts from
//! the contract would encode calls the contract misreads, or decode its
//! answers wrongly; this names each difference. Used by this crate's
//! metadata tests and by the revive e2e suite's.

use anyhow::Result;
use scale_info::{form::PortableForm, MetaType, PortableRegistry, Registry, TypeDef};
use std::path::Path;

/// A type's SCALE shape, with field and variant names and indices;
/// single-field tuple structs (`H160`, `Core<T>`'s wrappers,
/// `FixedBytes<N>`) are their field.
fn shape(reg: &PortableRegistry, id: u32, stack: &mut Vec<u32>) -> String {
    let Some(ty) = reg.resolve(id) else {
        return format!("<no type {id} in the registry>");
    };
    if stack.contains(&id) {
        return format!("<recursive {}>", ty.path.segments.join("::"));
    }
    stack.push(id);
    let fields = |fs: &[scale_info::Field<PortableForm>], stack: &mut Vec<u32>| -> String {
        fs.iter()
            .map(|f| match &f.name {
                Some(n) => format!("{n}: {}", shape(reg, f.ty.id, stack)),
                None => shape(reg, f.ty.id, stack),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let out = match &ty.type_def {
        TypeDef::Composite(c) if c.fields.len() == 1 && c.fields[0].name.is_none() => {
            shape(reg, c.fields[0].ty.id, stack)
        }
        TypeDef::Composite(c) => format!("{{{}}}", fields(&c.fields, stack)),
        TypeDef::Variant(v) => {
            let vs: Vec<String> =
                v.variants.iter().map(|v| format!("{}#{}({})", v.name, v.index, fields(&v.fields, stack))).collect();
            format!("enum[{}]", vs.join(" | "))
        }
        TypeDef::Sequence(s) => format!("Vec<{}>", shape(reg, s.type_param.id, stack)),
        TypeDef::Array(a) => format!("[{}; {}]", shape(reg, a.type_param.id, stack), a.len),
        TypeDef::Tuple(t) => {
            format!("({})", t.fields.iter().map(|f| shape(reg, f.id, stack)).collect::<Vec<_>>().join(", "))
        }
        TypeDef::Primitive(p) => format!("{p:?}"),
        TypeDef::Compact(c) => format!("Compact<{}>", shape(reg, c.type_param.id, stack)),
        TypeDef::BitSequence(_) => "bits".into(),
    };
    stack.pop();
    out
}

/// A Rust type's shape, in the same notation.
fn own_shape(t: &MetaType) -> String {
    let mut r = Registry::new();
    let id = r.register_type(t).id;
    shape(&r.into(), id, &mut Vec::new())
}

/// One contract's metadata.
pub struct Metadata {
    contract: String,
    /// The metadata JSON as written.
    pub json: serde_json::Value,
    types: PortableRegistry,
}

impl Metadata {
    /// Reads `contract`'s metadata JSON at `path`.
    pub fn read(path: &Path, contract: &str) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("{}: {e} (build the contracts first)", path.display()))?;
        let json: serde_json::Value = serde_json::from_str(&text)?;
        let types = serde_json::from_value(serde_json::json!({ "types": json["types"] }))?;
        Ok(Self { contract: contract.to_string(), json, types })
    }

    fn shape(&self, ty: &serde_json::Value) -> String {
        shape(&self.types, ty["type"].as_u64().unwrap_or(u64::MAX) as u32, &mut Vec::new())
    }

    /// The differences between a declared message or constructor (`kind`:
    /// "messages" or "constructors") and this contract's entry of its name:
    /// selector, argument names and shapes, return shape.
    pub fn check(&self, kind: &str, name: &str, args: &[(&'static str, MetaType)], returns: &MetaType) -> Vec<String> {
        let contract = &self.contract;
        let mut problems = Vec::new();
        let entries = self.json["spec"][kind].as_array().cloned().unwrap_or_default();
        let Some(m) = entries.iter().find(|m| m["label"] == name) else {
            return vec![format!("{contract}: no {kind} `{name}` in the metadata")];
        };
        let sel = crate::record::hex(&crate::contracts::selector(name));
        if m["selector"] != sel.as_str() {
            problems.push(format!("{contract}.{name}: selector {} in the metadata, {sel} here", m["selector"]));
        }
        let theirs_args = m["args"].as_array().cloned().unwrap_or_default();
        if theirs_args.len() != args.len() {
            problems.push(format!("{contract}.{name}: {} arguments there, {} here", theirs_args.len(), args.len()));
        }
        for (a, (arg, ty)) in theirs_args.iter().zip(args) {
            let (theirs, ours) = (self.shape(&a["type"]), own_shape(ty));
            if a["label"] != *arg || theirs != ours {
                problems.push(format!("{contract}.{name}: argument {} {theirs}, here {arg} {ours}", a["label"]));
            }
        }
        let (theirs, ours) = (self.shape(&m["returnType"]), own_shape(returns));
        if theirs != ours {
            problems.push(format!("{contract}.{name}: returns {theirs}, here {ours}"));
        }
        problems
    }

    /// The differences between a declared event and this contract's event of its name.
    pub fn check_event(&self, name: &str, fields: &[(&'static str, MetaType)]) -> Vec<String> {
        let contract = &self.contract;
        let events = self.json["spec"]["events"].as_array().cloned().unwrap_or_default();
        let Some(e) = events.iter().find(|e| e["label"] == name) else {
            return vec![format!("{contract}: no event {name}")];
        };
        let args = e["args"].as_array().cloned().unwrap_or_default();
        let theirs: Vec<String> = args
            .iter()
            .map(|a| format!("{}: {}", a["label"].as_str().unwrap_or("?"), self.shape(&a["type"])))
            .collect();
        let ours: Vec<String> = fields.iter().map(|(n, t)| format!("{n}: {}", own_shape(t))).collect();
        if theirs == ours {
            vec![]
        } else {
            vec![format!("{contract}.{name}: {theirs:?} there, {ours:?} here")]
        }
    }
}
