#!/usr/bin/env python3
"""Writes the seed corpora of every fuzz target into fuzz/corpus/<target>/ (not committed).

Sources: the core's test fixtures (crates/certgate/tests/fixtures), the x509-limbo conformance
suite (../shared/conformance/limbo-dev.json.gz: a deterministic sample of cases by default,
every case with --limbo all), the repository's policy documents, forwarded-header encodings of
the fixture chains, and CSRs and PKCS#12 files made here with openssl (iteration counts of 1,
so that executions stay fast; the fuzzer mutates them).

    python3 fuzz/seed.py [--limbo N|all]
"""

import argparse
import base64
import binascii
import glob
import gzip
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.parse

FUZZ = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(FUZZ)
FIXTURES = os.path.join(ROOT, "crates", "certgate", "tests", "fixtures")
LIMBO = os.path.join(ROOT, "..", "shared", "conformance", "limbo-dev.json.gz")
PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----\r?\n(.*?)-----END \1-----", re.S)


def blocks(pem, label):
    """The DER of every `label` block in PEM bytes whose body is base64 (fixtures kept as a
    fuzzer found them, such as mesh-variants.pem, hold some that are not)."""
    ders = []
    for kind, body in PEM_BLOCK.findall(pem):
        if kind == label.encode():
            try:
                ders.append(base64.b64decode(body))
            except binascii.Error:
                pass
    return ders


def pem(label, der):
    body = base64.encodebytes(der).decode().replace("\n", "")
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return ("-----BEGIN %s-----\n%s\n-----END %s-----\n" % (label, "\n".join(lines), label)).encode()


class Corpus:
    def __init__(self, target):
        self.dir = os.path.join(FUZZ, "corpus", target)
        os.makedirs(self.dir, exist_ok=True)
        self.count = 0

    def add(self, data):
        if isinstance(data, str):
            data = data.encode()
        name = hashlib.sha1(data).hexdigest()
        with open(os.path.join(self.dir, name), "wb") as f:
            f.write(data)
        self.count += 1


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def limbo_cases(limit):
    if not os.path.exists(LIMBO):
        sys.exit("seed.py: %s is missing (the conformance suite)" % LIMBO)
    with gzip.open(LIMBO) as f:
        cases = json.load(f)["testcases"]
    if limit == "all":
        return cases
    step = max(1, len(cases) // int(limit))
    return cases[::step][: int(limit)]


def forwarded_values(ders):
    """The fixture chain as each proxy convention forwards it (crates/certgate/src/forwarded.rs)."""
    pems = b"".join(pem("CERTIFICATE", d) for d in ders).decode()
    leaf = pem("CERTIFICATE", ders[0]).decode()
    b64 = [base64.b64encode(d).decode() for d in ders]
    yield urllib.parse.quote(pems, safe="")  # nginx $ssl_client_escaped_cert
    yield "X-Amzn-Mtls-Clientcert: " + urllib.parse.quote(pems, safe="+/=")  # AWS ALB
    yield 'By=spiffe://cluster.local/ns/default/sa/api;Hash=abcd;Cert="%s";Chain="%s";Subject="CN=alice"' % (
        urllib.parse.quote(leaf, safe=""), urllib.parse.quote(pems, safe=""))  # Envoy XFCC
    yield "X-Forwarded-Tls-Client-Cert: " + urllib.parse.quote(",".join(b64), safe="")  # Traefik
    rfc9440 = "Client-Cert: :%s:" % b64[0]
    if len(b64) > 1:
        rfc9440 += "\nClient-Cert-Chain: " + ", ".join(":%s:" % b for b in b64[1:])
    yield rfc9440


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limbo", default="300", help="limbo cases to sample, or `all`")
    args = parser.parse_args()
    corpora = {t: Corpus(t) for t in
               ["chain", "inspect", "csr", "crl", "policy_load", "policy_eval", "verify", "forwarded", "pkcs12"]}

    # Fixtures: chains (PEM and concatenated DER), single certificates, CRLs.
    files = sorted(glob.glob(os.path.join(FIXTURES, "**", "*.pem"), recursive=True))
    chains = []
    for path in files:
        data = open(path, "rb").read()
        certs, crls = blocks(data, "CERTIFICATE"), blocks(data, "X509 CRL")
        corpora["chain"].add(data)
        if certs:
            chains.append(certs)
            corpora["chain"].add(b"".join(certs))
            corpora["verify"].add(data)
            corpora["verify"].add(b"".join(certs))
            for der in certs:
                corpora["inspect"].add(der)
        for der in crls:
            corpora["crl"].add(der)
            corpora["crl"].add(pem("X509 CRL", der))
        if crls:
            corpora["crl"].add(data)

    # Policy evaluation: requests against the fixtures' leaves.
    requests = ["GET /customer/1", "GET /health", "POST /admin/users", "GET /whoami", "GET /reports/%2e%2e/x"]
    for certs in chains:
        for request in requests:
            corpora["policy_eval"].add(request.encode() + b"\n" + certs[0])
    for chain in chains[:12]:
        for value in forwarded_values(chain):
            corpora["forwarded"].add(value)

    # The conformance suite: peer chains, every certificate, CRLs.
    for case in limbo_cases(args.limbo):
        presented = (case["peer_certificate"] + "".join(case["untrusted_intermediates"])).encode()
        corpora["chain"].add(presented)
        corpora["verify"].add(presented)
        for text in [case["peer_certificate"], *case["untrusted_intermediates"], *case["trusted_certs"]]:
            for der in blocks(text.encode(), "CERTIFICATE"):
                corpora["inspect"].add(der)
        for text in case["crls"]:
            corpora["crl"].add(text)
        peer = blocks(case["peer_certificate"].encode(), "CERTIFICATE")
        if peer:
            corpora["policy_eval"].add(b"GET /customer/1\n" + peer[0])

    # Every CRL of the suite (few cases have one).
    for case in limbo_cases("all"):
        for text in case["crls"]:
            corpora["crl"].add(text)

    # Policy documents: every TOML file in the repository with routes or a principal.
    for path in glob.glob(os.path.join(ROOT, "**", "*.toml"), recursive=True):
        if "/target" in path or "node_modules" in path:
            continue
        text = open(path, encoding="utf-8", errors="replace").read()
        if "[[routes]]" in text or "[principal]" in text:
            corpora["policy_load"].add(text)
    rust_policies = glob.glob(os.path.join(ROOT, "crates", "*", "tests", "**", "*.rs"), recursive=True)
    for path in rust_policies:
        source = open(path, encoding="utf-8", errors="replace").read()
        for literal in re.findall(r'r#"(.*?)"#', source, re.S):
            if "[[routes]]" in literal or "[principal]" in literal or "[roles]" in literal:
                corpora["policy_load"].add(literal)

    # CSRs and PKCS#12 files, made with openssl.
    with tempfile.TemporaryDirectory() as tmp:
        for name, keyopts in [("ec", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]),
                              ("rsa", ["-newkey", "rsa:2048"]), ("ed25519", ["-newkey", "ed25519"])]:
            openssl("req", "-new", *keyopts, "-nodes", "-keyout", name + ".key", "-subj",
                    "/CN=%s-client/O=certgate fuzz" % name, "-addext", "subjectAltName=DNS:%s.example.org,URI:spiffe://example.org/%s" % (name, name),
                    "-outform", "DER", "-out", name + ".csr", cwd=tmp)
            corpora["csr"].add(open(os.path.join(tmp, name + ".csr"), "rb").read())
        openssl("req", "-x509", "-new", "-key", "ec.key", "-subj", "/CN=alice/O=certgate fuzz", "-days", "30",
                "-out", "alice.pem", cwd=tmp)
        open(os.path.join(tmp, "ca.pem"), "wb").write(open(os.path.join(FIXTURES, "intermediate-ca.pem"), "rb").read()
                                                      + open(os.path.join(FIXTURES, "root-ca.pem"), "rb").read())
        low = ["-iter", "1", "-maciter"]
        variants = {
            "modern": ["-export", "-inkey", "ec.key", "-in", "alice.pem", "-certfile", "ca.pem", "-name", "alice"],
            "legacy": ["-export", "-inkey", "ec.key", "-in", "alice.pem", "-certpbe", "PBE-SHA1-3DES",
                       "-keypbe", "PBE-SHA1-3DES", "-macalg", "sha1"],
            "plain": ["-export", "-inkey", "ec.key", "-in", "alice.pem", "-keypbe", "NONE", "-certpbe", "NONE"],
            "truststore": ["-export", "-nokeys", "-in", "ca.pem"],
        }
        for name, opts in variants.items():
            for password in ["changeit", ""]:
                out = "%s-%d.p12" % (name, len(password))
                openssl("pkcs12", *opts, *low, "-passout", "pass:" + password, "-out", out, cwd=tmp)
                corpora["pkcs12"].add(open(os.path.join(tmp, out), "rb").read())

    for target, corpus in sorted(corpora.items()):
        print("%-12s %5d seeds  %s" % (target, corpus.count, os.path.relpath(corpus.dir, ROOT)))


if __name__ == "__main__":
    main()
