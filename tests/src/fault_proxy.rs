//! A fault-injecting HTTP proxy in front of a real `trove-server`: each request is forwarded,
//! unless a queued fault matches its path, in which case the fault is played instead (once).
//! Faults: an error status (with Retry-After), a connection reset mid-body, malformed JSON, and
//! listings that skip or repeat an item.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer with this status and a JSON error body; `Some(s)` adds `Retry-After: s`.
    Status(u16, Option<u64>),
    /// Promise a long body, send a little of it, and close the connection.
    ResetMidBody,
    /// A 200 whose body is not JSON.
    MalformedJson,
    /// Forward, but drop the first item of the listing's `data`.
    SkipItem,
    /// Forward, but replace the first item with a copy of the last one.
    RepeatItem,
    /// Forward after holding the request this long (a slow remote; time to kill the client). A
    /// client that disconnects meanwhile takes its request with it.
    Delay(std::time::Duration),
    /// Forward (the remote does the work), then hold the answer this long before sending it.
    DelayAnswer(std::time::Duration),
    /// Forward (the remote does the work), then close the connection without answering.
    ForwardThenReset,
}

pub struct FaultProxy {
    pub base_url: String,
    faults: Arc<Mutex<VecDeque<(String, Fault)>>>,
    /// "METHOD target" of every request received, in order.
    requests: Arc<Mutex<Vec<String>>>,
    down: Arc<std::sync::atomic::AtomicBool>,
    task: tokio::task::JoinHandle<()>,
}

impl FaultProxy {
    /// Listens on a free loopback port and forwards to `upstream`.
    pub async fn start(upstream: &str) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let faults: Arc<Mutex<VecDeque<(String, Fault)>>> = Arc::default();
        let requests: Arc<Mutex<Vec<String>>> = Arc::default();
        let down: Arc<std::sync::atomic::AtomicBool> = Arc::default();
        let (shared, upstream, is_down) = (faults.clone(), upstream.to_owned(), down.clone());
        let log = requests.clone();
        let task = tokio::spawn(async move {
            let client = reqwest::Client::new();
            while let Ok((socket, _)) = listener.accept().await {
                let (faults, upstream, client) = (shared.clone(), upstream.clone(), client.clone());
                let down = is_down.load(std::sync::atomic::Ordering::SeqCst);
                let log = log.clone();
                tokio::spawn(async move {
                    let _ = serve(socket, &upstream, &client, &faults, &log, down).await;
                });
            }
        });
        FaultProxy {
            base_url,
            faults,
            requests,
            down,
            task,
        }
    }

    /// The next request whose "METHOD path?query" contains `path` gets `fault` (so `"POST /assets"`
    /// matches uploads only).
    pub fn inject(&self, path: &str, fault: Fault) {
        self.faults
            .lock()
            .unwrap()
            .push_back((path.to_owned(), fault));
    }

    /// While down, every request is answered 503 (the remote is unavailable).
    pub fn set_down(&self, down: bool) {
        self.down.store(down, std::sync::atomic::Ordering::SeqCst);
    }

    /// "METHOD target" of every request received so far.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }

    /// Faults queued and not yet played.
    pub fn unplayed(&self) -> usize {
        self.faults.lock().unwrap().len()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Reads one request (headers, then a Content-Length body).
async fn read_request(
    socket: &mut TcpStream,
) -> std::io::Result<Option<(String, String, Vec<(String, String)>, Vec<u8>)>> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    let header_end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        let n = socket.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..header_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let (method, target) = (
        request_line.next().unwrap_or("GET").to_owned(),
        request_line.next().unwrap_or("/").to_owned(),
    );
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| {
            line.split_once(':')
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        })
        .collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buffer[header_end..].to_vec();
    while body.len() < length {
        let n = socket.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Ok(Some((method, target, headers, body)))
}

async fn respond(
    socket: &mut TcpStream,
    status: u16,
    extra: &str,
    body: &[u8],
) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n{extra}\r\n",
        body.len()
    );
    socket.write_all(head.as_bytes()).await?;
    socket.write_all(body).await?;
    socket.shutdown().await
}

async fn serve(
    mut socket: TcpStream,
    upstream: &str,
    client: &reqwest::Client,
    faults: &Mutex<VecDeque<(String, Fault)>>,
    log: &Mutex<Vec<String>>,
    down: bool,
) -> std::io::Result<()> {
    let Some((method, target, headers, body)) = read_request(&mut socket).await? else {
        return Ok(());
    };
    let request_line = format!("{method} {target}");
    log.lock().unwrap().push(request_line.clone());
    if down {
        return respond(
            &mut socket,
            503,
            "",
            br#"{"error":"unavailable","message":"down"}"#,
        )
        .await;
    }
    let fault = {
        let mut queue = faults.lock().unwrap();
        let at = queue
            .iter()
            .position(|(path, _)| request_line.contains(path.as_str()));
        at.and_then(|i| queue.remove(i)).map(|(_, fault)| fault)
    };
    match fault {
        Some(Fault::Status(status, retry_after)) => {
            let extra = retry_after
                .map(|s| format!("retry-after: {s}\r\n"))
                .unwrap_or_default();
            let body = format!(r#"{{"error":"injected","message":"injected status {status}"}}"#);
            return respond(&mut socket, status, &extra, body.as_bytes()).await;
        }
        Some(Fault::ResetMidBody) => {
            socket.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{\"data\":[").await?;
            return Ok(()); // dropped: the connection closes with the body unfinished
        }
        Some(Fault::MalformedJson) => {
            return respond(&mut socket, 200, "", b"{\"data\": [ not json").await
        }
        Some(Fault::Delay(wait)) => {
            // Held, as a slow network holds a request; if the client goes away meanwhile, the
            // request goes with it (the remote never sees it whole).
            let mut probe = [0u8; 1];
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                read = socket.read(&mut probe) => if matches!(read, Ok(0) | Err(_)) {
                    return Ok(());
                },
            }
        }
        _ => {}
    }
    let mut request = client.request(
        method.parse().unwrap_or(reqwest::Method::GET),
        format!("{upstream}{target}"),
    );
    for (name, value) in &headers {
        if !matches!(name.as_str(), "host" | "content-length" | "connection") {
            request = request.header(name.as_str(), value.as_str());
        }
    }
    let response = request
        .body(body)
        .send()
        .await
        .map_err(std::io::Error::other)?;
    match fault {
        Some(Fault::ForwardThenReset) => return Ok(()), // the remote did it; the answer is lost
        Some(Fault::DelayAnswer(wait)) => tokio::time::sleep(wait).await,
        _ => {}
    }
    let status = response.status().as_u16();
    let mut bytes = response
        .bytes()
        .await
        .map_err(std::io::Error::other)?
        .to_vec();
    if let Some(edit @ (Fault::SkipItem | Fault::RepeatItem)) = fault {
        let mut listing: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let data = listing["data"].as_array_mut().unwrap();
        match edit {
            Fault::SkipItem => drop(data.remove(0)),
            _ => data[0] = data.last().cloned().unwrap(),
        }
        bytes = serde_json::to_vec(&listing).unwrap();
    }
    respond(&mut socket, status, "", &bytes).await
}
