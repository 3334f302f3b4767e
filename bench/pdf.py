#!/usr/bin/env python3
"""make bench-pdf: whole-process signing time and peak memory of `signet pdf sign` against
pyHanko (same P-256 key, a visible seal image) and poppler's `pdfsig -add-signature`
(invisible, NSS), in one run, on the shared corpus plus a generated 400-page PDF and a ~12 MB
scanned-image PDF; and signing the 12 MB file against `openssl dgst -sha256` on it.
Times are medians of warm runs (one discarded warm-up run, then BENCH_RUNS >= 5, default 5).
Prints ratios; targets (issue 15): >= 25x pyHanko at the slowest file, >= 3x pdfsig,
<= 2x openssl dgst and peak RSS <= file size + 16 MiB on the 12 MB file.
Usage: bench/pdf.py SIGNET_BINARY"""
import glob, os, random, statistics, struct, subprocess, sys, tempfile, time, zlib

SIGNET = os.path.abspath(sys.argv[1])
HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = sorted(glob.glob(os.path.join(HERE, "../../shared/corpus/pdf/*.pdf")))
RUNS = max(5, int(os.environ.get("BENCH_RUNS", "5")))


def sh(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, **kw)


def timed(cmd, out=None):
    """(seconds, peak RSS in KiB) of one whole-process run: wall clock around it, and the
    peak resident memory from GNU time. `out`, the output file, is removed first (untimed):
    every run of every tool writes a new file. Replacing an existing one would add the file
    system's cost of that (on ext4, renaming over a file or truncating one starts writeback of
    the new data at once: about 7 ms for 12 MB here), which depends on the previous run."""
    if out and os.path.exists(out):
        os.remove(out)
    start = time.perf_counter()
    # GNU time reports the peak RSS of the command itself (a child forked from this Python
    # process would count the parent's pages touched before exec).
    r = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    secs = time.perf_counter() - start
    if r.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed: {r.stderr[-500:]}")
    return secs, int(r.stderr.strip().splitlines()[-1])


def median(cmd, runs=RUNS, attempts=1, out=None):
    """Median of `runs` successful runs after one warm-up run (the peak RSS is the largest
    seen); a tool that fails intermittently gets `attempts` tries per run (poppler 22.12's
    ECDSA signing sometimes misjudges the signature size and fails with "unable update
    signature")."""
    results, failures = [], 0
    warm = False
    while len(results) < runs:
        try:
            r = timed(cmd, out)
        except RuntimeError:
            failures += 1
            if failures >= runs * attempts:
                raise
            continue
        if warm:
            results.append(r)
        warm = True
    return statistics.median(t for t, _ in results), max(m for _, m in results)


def write_pdf(path, pages):
    """A minimal PDF; `pages` is a list of (content bytes, image bytes or None, w, h)."""
    objs = []
    def add(b):
        objs.append(b)
        return len(objs)
    page_ids = []
    pages_id = 2
    add(b"<< /Type /Catalog /Pages 2 0 R >>")
    add(b"")  # pages, filled below
    for content, image, iw, ih in pages:
        res = b"<< /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>"
        if image is not None:
            img = add(b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Length %d >>\nstream\n" % (iw, ih, len(image)) + image + b"\nendstream")
            res = b"<< /XObject << /Im1 %d 0 R >> >>" % img
        c = add(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        page_ids.append(add(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources %s /Contents %d 0 R >>" % (res, c)))
    objs[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % i for i in page_ids), len(page_ids))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    open(path, "wb").write(out)


def seal_png(path, size=240):
    rows = []
    c = size / 2
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            on = (x - c) ** 2 + (y - c) ** 2 < (c - 2) ** 2
            row += bytes([220, 20, 20, 255] if on else [0, 0, 0, 0])
        rows.append(bytes(row))
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b"")
    open(path, "wb").write(data)


def main():
    d = tempfile.mkdtemp(prefix="signet-bench-")
    p = lambda n: os.path.join(d, n)
    sh("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", p("k.pem"))
    sh("openssl", "req", "-x509", "-new", "-key", p("k.pem"), "-subj", "/CN=Bench", "-days", "30", "-out", p("c.pem"))
    seal_png(p("seal.png"))
    # pdfsig signs with NSS: a database holding the same key and certificate.
    nss = p("nss")
    os.makedirs(nss)
    sh("certutil", "-N", "-d", "sql:" + nss, "--empty-password")
    sh("openssl", "pkcs12", "-export", "-inkey", p("k.pem"), "-in", p("c.pem"), "-name", "bench", "-out", p("k.p12"), "-passout", "pass:")
    sh("pk12util", "-i", p("k.p12"), "-d", "sql:" + nss, "-W", "")
    open(p("pyhanko.yml"), "w").write(f"stamp-styles:\n  seal:\n    type: text\n    stamp-text: ''\n    border-width: 0\n    background: {p('seal.png')}\n")

    files = list(CORPUS)
    write_pdf(p("generated-400-pages.pdf"), [(b"BT /F1 12 Tf 72 720 Td (Page %d of a long contract) Tj ET" % i, None, 0, 0) for i in range(400)])
    rnd = random.Random(7)
    scans = [(b"q 595 0 0 842 0 0 cm /Im1 Do Q", rnd.randbytes(1700 * 1760), 1700, 1760) for _ in range(4)]
    write_pdf(p("generated-scanned-12mb.pdf"), scans)
    files += [p("generated-400-pages.pdf"), p("generated-scanned-12mb.pdf")]

    print(f"{'file':34} {'MB':>6} {'signet s':>9} {'pyHanko s':>10} {'ratio':>7} {'pdfsig s':>9} {'ratio':>7} {'signet RSS MiB':>15}")
    worst_py, worst_pdfsig = float("inf"), float("inf")
    for f in files:
        size = os.path.getsize(f)
        out = p("out.pdf")
        ours, rss = median([SIGNET, "pdf", "sign", f, out, "--key", p("k.pem"), "--cert", p("c.pem"), "--seal", p("seal.png"), "--page", "1", "--rect", "360,60,120,120"], out=out)
        theirs, _ = median(["pyhanko", "--config", p("pyhanko.yml"), "sign", "addsig", "--style-name", "seal", "--field", "1/360,60,480,180/BenchSig",
                          "pemder", "--key", p("k.pem"), "--cert", p("c.pem"), "--no-pass", f, out], out=out)
        try:
            poppler, _ = median(["pdfsig", "-add-signature", "-nssdir", "sql:" + nss, "-nick", "bench", f, out], attempts=5, out=out)
        except RuntimeError:
            poppler = float("nan")  # pdfsig could not sign this file
        r_py, r_pop = theirs / max(ours, 1e-3), poppler / max(ours, 1e-3)
        worst_py = min(worst_py, r_py)
        if poppler == poppler:  # pdfsig refuses some files (NaN): leave them out
            worst_pdfsig = min(worst_pdfsig, r_pop)
        print(f"{os.path.basename(f)[:34]:34} {size/1e6:6.2f} {ours:9.3f} {theirs:10.3f} {r_py:6.1f}x {poppler:9.3f} {r_pop:6.1f}x {rss/1024:15.1f}")
        if "12mb" in f:
            dgst, _ = median(["openssl", "dgst", "-sha256", f])
            big = (ours, rss, size, dgst)
    ours, rss, size, dgst = big
    print()
    print(f"slowest ratio vs pyHanko: {worst_py:.1f}x faster (target >= 25x)")
    print(f"slowest ratio vs pdfsig -add-signature: {worst_pdfsig:.1f}x faster (target >= 3x)")
    print(f"12 MB file: signing {ours:.3f} s vs openssl dgst -sha256 {dgst:.3f} s = {ours/max(dgst,1e-3):.2f}x (target <= 2x)")
    print(f"12 MB file: peak RSS {rss/1024:.1f} MiB vs target {size/2**20 + 16:.1f} MiB (size + 16 MiB)")


if __name__ == "__main__":
    main()
