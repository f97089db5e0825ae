// The web entry's declarations (type-checked only).
import init, { createVerifier, initSync, provider } from 'certgate/web';

async function main(bytes: Uint8Array): Promise<void> {
  await init();
  initSync({ module: bytes });
  const verifier = createVerifier({ trust: '-----BEGIN CERTIFICATE-----\n…' });
  console.log(provider(), verifier.verify('…').leaf.subject.rfc4514);
}
void main;
