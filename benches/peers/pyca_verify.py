"""pyca/cryptography peer for benches/run: the x509.verification client verifier, per iteration
parsing the PEM chain and verifying at a fixed time.

    python pyca_verify.py ROOT.pem CHAIN.pem UNIX_TIME ITERATIONS
prints "<cpu microseconds per verification>" and exits 0, or exits 1 when the chain is rejected
(the corrupted-signature control must be)."""

import datetime
import sys
import time

from cryptography import x509
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError


def main() -> int:
    root_path, chain_path, at, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    with open(root_path, "rb") as f:
        store = Store(x509.load_pem_x509_certificates(f.read()))
    with open(chain_path, "rb") as f:
        chain_pem = f.read()
    when = datetime.datetime.fromtimestamp(at, tz=datetime.timezone.utc)
    verifier = PolicyBuilder().store(store).time(when).build_client_verifier()

    def once() -> bool:
        certs = x509.load_pem_x509_certificates(chain_pem)
        try:
            verifier.verify(certs[0], certs[1:])
            return True
        except VerificationError:
            return False

    if not once():
        return 1
    start = time.process_time()
    for _ in range(n):
        if not once():
            return 1
    print(f"{(time.process_time() - start) * 1e6 / n:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
