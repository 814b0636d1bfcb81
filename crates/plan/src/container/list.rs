//! `docker-enter --list`: one line per running container, as a table for
//! people, JSON lines or a template for scripts and shell completion.

use super::{Container, ReadFrom};
use crate::error::Error;

/// How `--list` prints.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Table,
    /// One JSON object per line.
    Json,
    /// Text with `{{.Field}}` placeholders, one line per container.
    Template(Vec<Piece>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Field(Field),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Runtime,
    Address,
    Name,
    Id,
    ShortId,
    Pid,
    Image,
    State,
    Namespace,
    Pod,
    Container,
    Owner,
}

const FIELDS: [(&str, Field); 12] = [
    ("Runtime", Field::Runtime),
    ("Address", Field::Address),
    ("Name", Field::Name),
    ("ID", Field::Id),
    ("ShortID", Field::ShortId),
    ("PID", Field::Pid),
    ("Image", Field::Image),
    ("State", Field::State),
    ("Namespace", Field::Namespace),
    ("Pod", Field::Pod),
    ("Container", Field::Container),
    ("Owner", Field::Owner),
];

const HEADINGS: [(&str, Field); 6] = [
    ("RUNTIME", Field::Runtime),
    ("ADDRESS", Field::Address),
    ("NAME", Field::Name),
    ("PID", Field::Pid),
    ("IMAGE", Field::Image),
    ("STATE", Field::State),
];

impl Format {
    /// `table`, `json`, or a template such as `'{{.Name}} {{.PID}}'`.
    pub fn parse(text: &str) -> Result<Format, Error> {
        match text {
            "table" => return Ok(Format::Table),
            "json" => return Ok(Format::Json),
            _ => {}
        }
        let mut pieces = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find("{{") {
            if open > 0 {
                pieces.push(Piece::Text(rest[..open].to_string()));
            }
            let after = &rest[open + 2..];
            let close = after
                .find("}}")
                .ok_or_else(|| bad_format(text, "an unclosed {{"))?;
            let name = after[..close].trim();
            let field = name
                .strip_prefix('.')
                .and_then(|n| FIELDS.iter().find(|(f, _)| *f == n))
                .map(|(_, f)| *f)
                .ok_or_else(|| bad_format(text, &format!("no field {name}")))?;
            pieces.push(Piece::Field(field));
            rest = &after[close + 2..];
        }
        if !rest.is_empty() {
            pieces.push(Piece::Text(rest.to_string()));
        }
        if !pieces.iter().any(|p| matches!(p, Piece::Field(_))) {
            return Err(bad_format(text, "no {{.Field}} in it"));
        }
        Ok(Format::Template(pieces))
    }
}

fn bad_format(text: &str, why: &str) -> Error {
    let names: Vec<&str> = FIELDS.iter().map(|(n, _)| *n).collect();
    Error::msg(format!(
        "invalid --format {text:?}: {why} (use table, json, or a template of {{{{.{}}}}})",
        names.join("}}, {{.")
    ))
}

/// The lines `--list` prints.
pub fn render(containers: &[Container], format: &Format) -> String {
    match format {
        Format::Table => table(containers),
        Format::Json => containers.iter().map(|c| json(c) + "\n").collect(),
        Format::Template(pieces) => containers
            .iter()
            .map(|c| {
                let mut line: String = pieces
                    .iter()
                    .map(|p| match p {
                        Piece::Text(t) => t.clone(),
                        Piece::Field(f) => field(c, *f),
                    })
                    .collect();
                line.push('\n');
                line
            })
            .collect(),
    }
}

fn table(containers: &[Container]) -> String {
    let rows: Vec<Vec<String>> = containers
        .iter()
        .map(|c| HEADINGS.iter().map(|(_, f)| field(c, *f)).collect())
        .collect();
    let mut widths: Vec<usize> = HEADINGS.iter().map(|(h, _)| h.len()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let last = cells.len() - 1;
        let mut out = String::new();
        for (i, cell) in cells.into_iter().enumerate() {
            if i == last {
                out.push_str(&cell);
            } else {
                let pad = widths[i] - cell.chars().count() + 3;
                out.push_str(&cell);
                out.push_str(&" ".repeat(pad));
            }
        }
        out.push('\n');
        out
    };
    let mut out = line(HEADINGS.iter().map(|(h, _)| h.to_string()).collect());
    for row in rows {
        out.push_str(&line(row));
    }
    out
}

/// A field's text, with control characters replaced: names come from
/// state files that containers influence, and each container is one line.
fn field(c: &Container, f: Field) -> String {
    let pod = c.pod.as_ref();
    let text = match f {
        Field::Runtime => c.runtime.name().to_string(),
        Field::Address => c.address(),
        Field::Name => c.name.clone(),
        Field::Id => c.id.clone(),
        Field::ShortId => super::short_id(&c.id).to_string(),
        Field::Pid => c.pid.to_string(),
        Field::Image => c.image.clone(),
        Field::State => c.state.word().to_string(),
        Field::Namespace => match pod {
            Some(p) => p.namespace.clone(),
            None => c.namespace.clone(),
        },
        Field::Pod => pod.map(|p| p.pod.clone()).unwrap_or_default(),
        Field::Container => pod.map(|p| p.container.clone()).unwrap_or_default(),
        Field::Owner => c.owner.clone().unwrap_or_default(),
    };
    text.chars()
        .map(|ch| if ch.is_control() { '?' } else { ch })
        .collect()
}

fn json(c: &Container) -> String {
    let pod = c.pod.as_ref().map(
        |p| serde_json::json!({"namespace": p.namespace, "name": p.pod, "container": p.container}),
    );
    serde_json::json!({
        "runtime": c.runtime.name(),
        "address": c.address(),
        "name": c.name,
        "id": c.id,
        "pid": c.pid,
        "image": c.image,
        "state": c.state.word(),
        "pod": pod,
        "owner": c.owner,
        "containerd_namespace": (!c.namespace.is_empty()).then_some(&c.namespace),
        "read_from": match c.read_from {
            ReadFrom::Daemon => "daemon",
            ReadFrom::StateFiles => "state-files",
            ReadFrom::Proc => "proc",
        },
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::container::{ContainerState, PodRef, RuntimeKind};

    fn two() -> Vec<Container> {
        vec![
            Container {
                runtime: RuntimeKind::Docker,
                id: "fd55781fdfbaaacab45ec088d4f8fe3a616b7bcd945712a61ecadd36b57f7349".into(),
                name: "web".into(),
                image: "nginx:1".into(),
                state: ContainerState::Running,
                pid: 4905,
                ..Container::default()
            },
            Container {
                runtime: RuntimeKind::Containerd,
                read_from: ReadFrom::StateFiles,
                id: "app1".into(),
                name: "app\n".into(),
                namespace: "k8s.io".into(),
                pod: Some(PodRef {
                    namespace: "default".into(),
                    pod: "web".into(),
                    container: "app".into(),
                }),
                state: ContainerState::Paused,
                pid: 77,
                ..Container::default()
            },
        ]
    }

    #[test]
    fn table_aligns_columns_and_keeps_each_container_on_one_line() {
        assert_eq!(
            render(&two(), &Format::Table),
            "\
RUNTIME      ADDRESS               NAME   PID    IMAGE     STATE
docker       docker:web            web    4905   nginx:1   running
containerd   k8s:default/web/app   app?   77               paused
"
        );
    }

    #[test]
    fn json_lines_and_templates() {
        let lines = render(&two(), &Format::Json);
        let first: serde_json::Value = serde_json::from_str(lines.lines().next().unwrap()).unwrap();
        assert_eq!(first["address"], "docker:web");
        assert_eq!(first["pid"], 4905);
        assert_eq!(first["pod"], serde_json::Value::Null);
        let second: serde_json::Value =
            serde_json::from_str(lines.lines().nth(1).unwrap()).unwrap();
        assert_eq!(second["name"], "app\n");
        assert_eq!(second["pod"]["container"], "app");
        assert_eq!(second["read_from"], "state-files");
        let t = Format::parse("{{.Name}} {{ .ShortID }}:{{.Namespace}}").unwrap();
        assert_eq!(render(&two(), &t), "web fd55781fdfba:\napp? app1:default\n");
    }

    #[test]
    fn bad_templates_name_the_fields() {
        for (bad, why) in [
            ("{{.Nope}}", "no field .Nope"),
            ("{{.Name", "an unclosed {{"),
            ("plain", "no {{.Field}} in it"),
        ] {
            let err = Format::parse(bad).unwrap_err().to_string();
            assert!(err.contains(why), "{err}");
            assert!(err.contains("{{.Runtime}}, {{.Address}}"), "{err}");
        }
    }
}
