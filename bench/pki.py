#!/usr/bin/env python3
"""make bench-pki: OCSP responses/s and RFC 3161 timestamps/s from a running `signet serve`
(release build, SQLite, 2 workers) over loopback, driven by ApacheBench (`ab`, keep-alive,
16 concurrent clients), for ECDSA P-256 and SM2. Targets (issue 6): >= 2,000/s each for
P-256 on 2 cores. The cost of one PIN check + key unwrap is measured by the criterion bench
`cargo bench -p signet-pki --bench pin`, which `make bench-pki` runs first.
Usage: bench/pki.py SIGNET_BINARY"""
import json, os, re, shutil, socket, subprocess, sys, tempfile, time, urllib.request

SIGNET = os.path.abspath(sys.argv[1])
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "20000"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "16"))
TARGET = 2000.0


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def call(base, method, path, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"null")


def ab(url, body_file, content_type):
    out = subprocess.run(
        ["ab", "-q", "-k", "-n", str(REQUESTS), "-c", str(CONCURRENCY), "-p", body_file, "-T", content_type, url],
        check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests per second:\s+([\d.]+)", out).group(1))
    # ab counts answers of another length than the first as "failed"; ECDSA signatures vary
    # in DER length by a byte or two, so only connection, receive and exception failures and
    # non-2xx answers count.
    m = re.search(r"\(Connect: (\d+), Receive: (\d+), Length: \d+, Exceptions: (\d+)\)", out)
    broken = m is not None and any(int(x) for x in m.groups())
    non2xx = re.search(r"Non-2xx responses:\s+(\d+)", out)
    if broken or non2xx:
        raise RuntimeError(f"ab saw failures:\n{out}")
    return rps


def main():
    d = tempfile.mkdtemp(prefix="signet-bench-pki-")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, SIGNET_DATA_DIR=d, SIGNET_DATABASE__URL=f"sqlite://{d}/signet.db?mode=rwc",
               SIGNET_HTTP__PORT=str(port), SIGNET_HTTP__WORKERS="2", SIGNET_LOG__FILTER="warn",
               SIGNET_HTTP__PUBLIC_BASE_URL=base, SIGNET_PANEL_DIR=os.path.join(d, "none"))
    server = subprocess.Popen([SIGNET, "serve", "--demo"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        token = call(base, "POST", "/api/v1/auth/login", {"login": "demoadmin", "password": "Signet-demo-2026"})["access_token"]
        certs = call(base, "GET", "/api/v1/certificates", token=token)["items"]
        print(f"signet serve (release, 2 workers, SQLite) on loopback; ab -k -c {CONCURRENCY} -n {REQUESTS}")
        results = {}
        for c in sorted(certs, key=lambda c: c["algorithm"]):
            alg = c["algorithm"]
            p = lambda n: os.path.join(d, f"{alg}-{n}")
            open(p("cert.pem"), "w").write(c["certificate_pem"])
            chain = c["chain_pem"].split("-----END CERTIFICATE-----\n")
            open(p("issuing.pem"), "w").write(chain[0] + "-----END CERTIFICATE-----\n")
            subprocess.run(["openssl", "ocsp", "-issuer", p("issuing.pem"), "-cert", p("cert.pem"), "-reqout", p("req.der")],
                           check=True, capture_output=True)
            with open(p("data.bin"), "wb") as f:
                f.write(b"bench")
            subprocess.run(["openssl", "ts", "-query", "-data", p("data.bin"), "-sha256", "-cert", "-out", p("q.tsq")],
                           check=True, capture_output=True)
            ocsp = ab(base + "/pki/ocsp", p("req.der"), "application/ocsp-request")
            tsa_path = "/pki/tsa" if alg == "p256" else "/pki/tsa/sm2"
            ts = ab(base + tsa_path, p("q.tsq"), "application/timestamp-query")
            results[alg] = (ocsp, ts)
            print(f"  {alg:5}  OCSP {ocsp:8.0f}/s   timestamps {ts:8.0f}/s")
        ocsp, ts = results["p256"]
        verdict = "meets" if min(ocsp, ts) >= TARGET else "MISSES"
        print(f"P-256 {verdict} the target of {TARGET:.0f}/s each (OCSP {ocsp / TARGET:.2f}x, timestamps {ts / TARGET:.2f}x)")
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
