//! Structured log: one JSON object a line on standard output, with a timestamp and an
//! `event` name. **Never a private key or a certificate body**: requests log the principal,
//! the verdict code, the route and the latency.

use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

/// Writes one event line. `fields` must be a JSON object; `ts` and `event` are added first.
pub fn event(event: &str, fields: Value) {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let mut line = Map::new();
    line.insert(
        "ts".into(),
        Value::String(format!(
            "{}.{:03}Z",
            certgate::time::rfc3339(now.as_secs()).trim_end_matches('Z'),
            now.subsec_millis()
        )),
    );
    line.insert("event".into(), Value::String(event.into()));
    if let Value::Object(fields) = fields {
        line.extend(fields);
    }
    let mut text = Value::Object(line).to_string();
    text.push('\n');
    // A closed or full stdout must not take the server down: the line is dropped.
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}
