//! A loopback server for a folder of files: a TUF repository as a mirror
//! serves it, for the trust-update tests.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;
use tiny_http::{Response, Server};

/// Serves the files under a folder over HTTP on `127.0.0.1`, read afresh
/// on every request (tests change them between requests). A path that
/// leaves the folder, or names no file, is a 404.
pub struct StaticFiles {
    server: Arc<Server>,
    thread: Option<JoinHandle<()>>,
    base: String,
}

impl StaticFiles {
    /// Serve `root`.
    pub fn start(root: &Path) -> Result<Self, crate::Error> {
        let (server, base) = crate::bind_loopback()?;
        let root = root.to_path_buf();
        let thread = {
            let server = Arc::clone(&server);
            std::thread::spawn(move || {
                for request in server.incoming_requests() {
                    let file = local_path(&root, request.url());
                    let _ = match file.and_then(|p| std::fs::read(p).ok()) {
                        Some(bytes) => request.respond(Response::from_data(bytes)),
                        None => request.respond(Response::empty(404)),
                    };
                }
            })
        };
        Ok(StaticFiles {
            server,
            thread: Some(thread),
            base,
        })
    }

    /// The server's base URL (`http://127.0.0.1:PORT`).
    pub fn url(&self) -> &str {
        &self.base
    }
}

/// The file under `root` that `url` names, if it stays inside `root`.
fn local_path(root: &Path, url: &str) -> Option<PathBuf> {
    let rel = Path::new(url.split('?').next()?.trim_start_matches('/'));
    let inside = rel.components().all(|c| matches!(c, Component::Normal(_)));
    let path = root.join(rel);
    (inside && path.is_file()).then_some(path)
}

impl Drop for StaticFiles {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_files_inside_the_root_are_served() {
        let dir = std::env::temp_dir().join(format!("static-files-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("a")).unwrap();
        std::fs::write(dir.join("a/b.json"), "x").unwrap();
        assert_eq!(local_path(&dir, "/a/b.json"), Some(dir.join("a/b.json")));
        assert_eq!(local_path(&dir, "/a/../a/b.json"), None);
        assert_eq!(local_path(&dir, "/a"), None);
        assert_eq!(local_path(&dir, "/missing"), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
