#!/usr/bin/env python3
"""make bench-verify: whole-process `signet pdf verify` against `pyhanko sign validate` on the
same files in one run: every shared-corpus file signed by `signet pdf sign` (P-256, a visible
seal, and a cross-page seal on multi-page files), a 400-page generated contract signed three
times, and the pyHanko-signed corpus file. Both validate against the same trust anchor without
fetching revocation data. Prints the time of each and the ratio; target (issue 5): >= 10x.
Usage: bench/verify.py SIGNET_BINARY"""
import glob, os, shutil, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pdf import write_pdf, seal_png  # noqa: E402

SIGNET = os.path.abspath(sys.argv[1])
HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = sorted(glob.glob(os.path.join(HERE, "../../shared/corpus/pdf/*.pdf")))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))


def sh(*args):
    return subprocess.run(args, check=True, capture_output=True)


def best(cmd, ok_codes=(0,)):
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        times.append(time.perf_counter() - start)
        if r.returncode not in ok_codes:
            raise RuntimeError(f"{cmd} failed ({r.returncode}): {r.stderr[-400:]!r}")
    return min(times)


def main():
    d = tempfile.mkdtemp(prefix="signet-bench-verify-")
    p = lambda n: os.path.join(d, n)
    sh("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", p("k.pem"))
    sh("openssl", "req", "-x509", "-new", "-key", p("k.pem"), "-subj", "/CN=Bench", "-days", "30",
       "-addext", "keyUsage=critical,digitalSignature,nonRepudiation,keyCertSign", "-out", p("c.pem"))
    seal_png(p("seal.png"))
    write_pdf(p("generated-400-pages.pdf"), [(b"BT /F1 12 Tf 72 720 Td (Page %d of a long contract) Tj ET" % i, None, 0, 0) for i in range(400)])
    inputs = list(CORPUS) + [p("generated-400-pages.pdf")]
    files = []
    for f in inputs:
        name = os.path.basename(f)
        out = p("signed-" + name)
        if "presigned" in name:
            shutil.copy(f, out)
        else:
            sh(SIGNET, "pdf", "sign", f, out, "--key", p("k.pem"), "--cert", p("c.pem"), "--seal", p("seal.png"), "--page", "1", "--rect", "20,20,100,100")
            if "400" in name:
                for i in range(2):
                    nxt = p(f"signed-{i}-" + name)
                    sh(SIGNET, "pdf", "sign", out, nxt, "--key", p("k.pem"), "--cert", p("c.pem"), "--seal", p("seal.png"), "--page", str(2 + i), "--rect", "20,20,100,100")
                    out = nxt
        files.append(out)
    trust = ["--trust", p("c.pem")]
    presigned_cert = os.path.join(HERE, "../../shared/corpus/pdf/pyhanko-presigned.signer-cert.pem")
    print(f"{'file':44} {'KB':>7} {'signet s':>9} {'pyHanko s':>10} {'ratio':>7}")
    worst = float("inf")
    total_s, total_p = 0.0, 0.0
    for f in files:
        t = trust + (["--trust", presigned_cert] if "presigned" in f else [])
        s = best([SIGNET, "pdf", "verify", "--json"] + t + [f])
        py = best(["pyhanko", "sign", "validate", "--no-revocation-check"] + t + [f])
        ratio = py / s
        worst = min(worst, ratio)
        total_s += s
        total_p += py
        print(f"{os.path.basename(f)[:44]:44} {os.path.getsize(f) // 1024:7d} {s:9.4f} {py:10.3f} {ratio:6.1f}x")
    print(f"\nall files: signet {total_s:.3f} s, pyHanko {total_p:.3f} s, ratio {total_p / total_s:.1f}x; worst file {worst:.1f}x (target >= 10x)")
    shutil.rmtree(d)


if __name__ == "__main__":
    main()
