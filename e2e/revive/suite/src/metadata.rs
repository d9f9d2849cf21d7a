//! The declarations of [`crate::abi`] against the contracts' own metadata
//! (written by `cargo contract build --release` beside each `.polkavm`):
//! selector, argument names, and the SCALE shape of every argument, return
//! value and event field, field by field. A declaration that drifts from
//! the contract would encode calls the contract misreads, or decode its
//! answers wrongly; this names each difference.

use crate::abi::Declared;
use anyhow::Result;
use scale_info::{form::PortableForm, MetaType, PortableRegistry, Registry, TypeDef};

/// A type's SCALE shape, with field and variant names and indices;
/// single-field tuple structs (`H160`, `Core<T>`, `FixedBytes<N>`) are their field.
fn shape(reg: &PortableRegistry, id: u32, stack: &mut Vec<u32>) -> String {
    let ty = reg.resolve(id).unwrap_or_else(|| panic!("no type {id} in the registry"));
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

fn own_shape(t: &MetaType) -> String {
    let mut r = Registry::new();
    let id = r.register_type(t).id;
    shape(&r.into(), id, &mut Vec::new())
}

/// One contract's metadata.
pub struct Metadata {
    contract: String,
    json: serde_json::Value,
    types: PortableRegistry,
}

impl Metadata {
    pub fn read(contract: &str) -> Result<Self> {
        let path = crate::artifacts_of(contract).join(format!("{contract}.json"));
        let text = std::fs::read_to_string(&path)
            .map_err(|e| anyhow::anyhow!("{}: {e} (build the contracts first)", path.display()))?;
        let json: serde_json::Value = serde_json::from_str(&text)?;
        let types = serde_json::from_value(serde_json::json!({ "types": json["types"] }))?;
        Ok(Self { contract: contract.to_string(), json, types })
    }

    fn shape(&self, ty: &serde_json::Value) -> String {
        shape(&self.types, ty["type"].as_u64().unwrap_or(u64::MAX) as u32, &mut Vec::new())
    }

    /// The differences between `d` and this contract's entry of its name.
    pub fn check(&self, d: &Declared) -> Vec<String> {
        let contract = &self.contract;
        let mut problems = Vec::new();
        let entries = self.json["spec"][d.kind].as_array().cloned().unwrap_or_default();
        let Some(m) = entries.iter().find(|m| m["label"] == d.name) else {
            return vec![format!("{contract}: no {} `{}` in the metadata", d.kind, d.name)];
        };
        let sel = bulwark_deploy::deploy::hex(&bulwark_deploy::contracts::selector(d.name));
        if m["selector"] != sel.as_str() {
            problems.push(format!("{contract}.{}: selector {} in the metadata, {sel} here", d.name, m["selector"]));
        }
        let args = m["args"].as_array().cloned().unwrap_or_default();
        if args.len() != d.args.len() {
            problems.push(format!("{contract}.{}: {} arguments there, {} here", d.name, args.len(), d.args.len()));
        }
        for (a, (name, ty)) in args.iter().zip(&d.args) {
            let (theirs, ours) = (self.shape(&a["type"]), own_shape(ty));
            if a["label"] != *name || theirs != ours {
                problems.push(format!("{contract}.{}: argument {} {theirs}, here {name} {ours}", d.name, a["label"]));
            }
        }
        let (theirs, ours) = (self.shape(&m["returnType"]), own_shape(&d.returns));
        if theirs != ours {
            problems.push(format!("{contract}.{}: returns {theirs}, here {ours}", d.name));
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

/// Checks every declaration of [`crate::abi`]; returns how many matched,
/// or every difference.
pub fn check_all() -> Result<usize> {
    use crate::abi::{breaker, events, fund, multisig, vault};
    let mut problems = Vec::new();
    let mut n = 0;
    let mut metadata = std::collections::BTreeMap::new();
    for contract in ["circuit_breaker", "insurance_fund", "multisig_guard", "protected_vault"] {
        metadata.insert(contract, Metadata::read(contract)?);
    }
    let mut declared = breaker::declared();
    declared.extend(fund::declared());
    declared.extend(multisig::declared());
    declared.push(vault::declared_constructor());
    declared.extend(vault::declared());
    for d in &declared {
        problems.extend(metadata[d.contract].check(d));
        n += 1;
    }
    for (contract, name, fields) in events::declared() {
        problems.extend(metadata[contract].check_event(name, &fields));
        n += 1;
    }
    if problems.is_empty() {
        Ok(n)
    } else {
        anyhow::bail!("{} of {n} declarations differ from the metadata:\n{}", problems.len(), problems.join("\n"))
    }
}
