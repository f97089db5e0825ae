"""The Python side of the interop suite (issue 12): urllib with an ssl.SSLContext that trusts
the demo root and presents a PEM identity (certificate chain + PKCS#8 key) through
SSLContext.load_cert_chain, as `requests` does underneath.

    python3 client.py URL CAFILE [CHAIN.pem KEY.pem]

Prints one JSON line: {"status": 200, "body": "..."} or {"error": "..."}; 20 s timeout.
"""

import json
import ssl
import sys
import urllib.error
import urllib.request


def main(argv):
    if len(argv) not in (3, 5):
        print("usage: python3 client.py URL CAFILE [CHAIN.pem KEY.pem]", file=sys.stderr)
        return 2
    url, cafile = argv[1], argv[2]
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies the server and its host name
    context.load_verify_locations(cafile=cafile)
    if len(argv) == 5:
        context.load_cert_chain(certfile=argv[3], keyfile=argv[4])
    try:
        with urllib.request.urlopen(url, context=context, timeout=20) as response:
            result = {"status": response.status, "body": response.read().decode()}
    except urllib.error.HTTPError as e:  # 4xx/5xx: still an HTTP answer
        result = {"status": e.code, "body": e.read().decode()}
    except Exception as e:  # a TLS or connection failure is a result too
        result = {"error": f"{type(e).__name__}: {e}"}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
