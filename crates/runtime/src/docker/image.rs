//! A local image's layers, for `--tools=IMAGE`: one `GET
//! /v1.41/images/{name}/json`, whose `GraphDriver` names the directories
//! each layer is stored in. Only overlay2 keeps layers as plain
//! directories that an overlay can be made of; another storage driver is
//! refused, saying so. Nothing is pulled: the image must be local.

use super::{escape_path_segment, Docker, Failure};
use crate::error::Error;
use serde_json::Value;
use std::path::PathBuf;

impl Docker {
    /// The layer directories of the local image `name`, the top one first.
    pub fn image_layers(&self, name: &str) -> Result<Vec<PathBuf>, Error> {
        let (path, response) = self
            .get_versioned(&format!("/images/{}/json", escape_path_segment(name)))
            .map_err(Failure::into_error)?;
        match response.status {
            200 => {}
            404 => {
                return Err(Error::msg(format!(
                    "no image {name} here (images are not pulled: docker pull {name} first; \
                     a directory is named by a path, such as ./{name})"
                )))
            }
            _ => return Err(self.refused(&path, &response)),
        }
        let json: Value = serde_json::from_slice(&response.body).map_err(|e| {
            Error::msg(format!(
                "{} sent an image description that is not JSON: {e}",
                self.describe()
            ))
        })?;
        layers_of(&json).map_err(|e| e.context(format!("image {name}")))
    }
}

/// overlay2's `UpperDir` (the image's top layer) then its `LowerDir`
/// entries, each an absolute directory.
fn layers_of(image: &Value) -> Result<Vec<PathBuf>, Error> {
    let driver = &image["GraphDriver"];
    let name = driver["Name"].as_str().unwrap_or("");
    if name != "overlay2" {
        let shown = if name.is_empty() { "unknown" } else { name };
        return Err(Error::msg(format!(
            "its layers are kept by the {shown} storage driver, which does not expose \
             them as directories (only overlay2 does); export it instead \
             (docker create, docker export, tar -x into a directory) and give --tools that directory"
        )));
    }
    let data = &driver["Data"];
    let mut layers: Vec<PathBuf> = Vec::new();
    let upper = data["UpperDir"].as_str().unwrap_or("");
    let lower = data["LowerDir"].as_str().unwrap_or("");
    for dir in std::iter::once(upper).chain(lower.split(':')) {
        if dir.is_empty() {
            continue;
        }
        if !dir.starts_with('/') {
            return Err(Error::msg(format!(
                "the daemon gave a layer that is not an absolute path: {dir}"
            )));
        }
        layers.push(PathBuf::from(dir));
    }
    if layers.is_empty() {
        return Err(Error::msg("the daemon gave no layer directory"));
    }
    Ok(layers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake_daemon::FakeDaemon;
    use std::time::Duration;

    fn ask(name: &str, answer: &'static [u8]) -> (Result<Vec<PathBuf>, Error>, String) {
        let daemon = FakeDaemon::start(vec![Some(answer)], 512, Duration::ZERO);
        let result = Docker::with_socket(&daemon.socket).image_layers(name);
        let request = daemon.requests().first().cloned().unwrap_or_default();
        (result, request.lines().next().unwrap_or("").to_string())
    }

    fn http(status: &str, body: &str) -> &'static [u8] {
        let text = format!(
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        Box::leak(text.into_bytes().into_boxed_slice())
    }

    #[test]
    fn the_top_layer_comes_first() {
        let body = r#"{"Id":"sha256:6e","GraphDriver":{"Name":"overlay2","Data":{"LowerDir":"/d/b/diff:/d/a/diff","MergedDir":"/d/c/merged","UpperDir":"/d/c/diff","WorkDir":"/d/c/work"}}}"#;
        let (layers, request) = ask("tools/box:1", http("200 OK", body));
        assert_eq!(
            layers.unwrap(),
            ["/d/c/diff", "/d/b/diff", "/d/a/diff"].map(PathBuf::from)
        );
        assert_eq!(request, "GET /v1.41/images/tools%2Fbox%3A1/json HTTP/1.1");
        let one = r#"{"GraphDriver":{"Name":"overlay2","Data":{"UpperDir":"/d/c/diff"}}}"#;
        assert_eq!(
            ask("one", http("200 OK", one)).0.unwrap(),
            [PathBuf::from("/d/c/diff")]
        );
    }

    #[test]
    fn a_missing_image_and_other_drivers_are_explained() {
        let missing = http(
            "404 Not Found",
            r#"{"message":"No such image: nope:latest"}"#,
        );
        let err = ask("nope", missing).0.unwrap_err().to_string();
        assert!(
            err.starts_with("no image nope here (images are not pulled"),
            "{err}"
        );
        let btrfs = r#"{"GraphDriver":{"Name":"btrfs","Data":null}}"#;
        let err = ask("b", http("200 OK", btrfs)).0.unwrap_err().to_string();
        assert!(
            err.starts_with("image b: its layers are kept by the btrfs storage driver"),
            "{err}"
        );
        let relative = r#"{"GraphDriver":{"Name":"overlay2","Data":{"UpperDir":"d/diff"}}}"#;
        assert!(ask("r", http("200 OK", relative)).0.is_err());
    }
}
