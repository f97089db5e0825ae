//! PEM in and out: labelled blocks from text, and text from DER with Unix line ends.

use std::path::Path;

use crate::error::{fail, Error};

/// One decoded object: its PEM label (`CERTIFICATE`, `PRIVATE KEY`, …), or `None` for DER input.
#[derive(Debug)]
pub struct Block {
    /// The PEM label; `None` when the input was binary DER.
    pub label: Option<String>,
    /// The DER bytes.
    pub der: Vec<u8>,
}

/// Whether input looks like DER (a SEQUENCE) rather than PEM text.
pub fn is_der(input: &[u8]) -> bool {
    input.first() == Some(&0x30)
}

/// Decodes every PEM block in the input, or the whole input as one DER object.
pub fn blocks(input: &[u8], source: &Path) -> Result<Vec<Block>, Error> {
    if is_der(input) {
        return Ok(vec![Block {
            label: None,
            der: input.to_vec(),
        }]);
    }
    let pems =
        pem::parse_many(input).map_err(|e| fail!("{} is not valid PEM: {e}", source.display()))?;
    if pems.is_empty() {
        return Err(fail!(
            "{} holds no PEM block and is not DER",
            source.display()
        ));
    }
    Ok(pems
        .into_iter()
        .map(|p| Block {
            label: Some(p.tag().to_owned()),
            der: p.into_contents(),
        })
        .collect())
}

/// PEM text for one DER object.
pub fn encode(label: &str, der: &[u8]) -> String {
    pem::encode_config(&pem::Pem::new(label, der), config())
}

/// PEM text for several certificates, in order.
pub fn encode_certs<'a>(ders: impl IntoIterator<Item = &'a [u8]>) -> String {
    ders.into_iter()
        .map(|der| encode("CERTIFICATE", der))
        .collect()
}

fn config() -> pem::EncodeConfig {
    pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF)
}
